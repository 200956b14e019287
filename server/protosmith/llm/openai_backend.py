"""Any OpenAI-compatible endpoint (OpenAI, vLLM, llama-server, llama_cpp.server, Ollama).

The client never retries on its own (``max_retries=0``): we retry connection errors, 429 and
5xx a bounded number of times with exponential backoff, honouring ``Retry-After`` (capped),
and turn every failure into one :class:`BackendError` that names the URL and the fix.
The API key is read from the environment when the client is built and never printed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import random
import re
import time
from typing import Any, Literal
from urllib.parse import urlparse

from protosmith.llm.base import (
    Capabilities,
    Completion,
    CompletionRequest,
    DeviceInfo,
    TokenCounter,
    Usage,
)
from protosmith.llm.errors import BackendError, BackendUnavailable
from protosmith.llm.limits import (
    CONTEXT_KNOBS,
    DEFAULT_CONTEXT_WINDOW,
    EffectiveLimits,
    EndpointLimits,
    discover_endpoint_limits,
    known_model,
    server_root,
    settle,
)
from protosmith.llm.pricing import cost
from protosmith.llm.tokens import counter_for_model
from protosmith.prompts import render
from protosmith.settings import Settings, StructuredMode

log = logging.getLogger(__name__)

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
TIMEOUT_KNOBS = "--timeout SECONDS / PROTOSMITH_TIMEOUT / protosmith.timeout"
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
RETRY_AFTER_CAP_S = 30.0
DUMMY_KEY = "not-needed"  # local servers ignore the key, but the client insists on one

_CONTEXT_ERROR = re.compile(r"context|too long|too many tokens|exceed", re.IGNORECASE)
_STATED_WINDOW = re.compile(
    r"(?:context window of|maximum context length is|context length of|n_ctx\W+)\s*(\d+)",
    re.IGNORECASE,
)
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
_FINISH: dict[str, Literal["stop", "length", "error"]] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "stop",
    "function_call": "stop",
}


def is_official_openai(base_url: str) -> bool:
    """True for api.openai.com, where json_schema and the key are required."""
    return (urlparse(base_url).hostname or "").endswith("api.openai.com")


def is_local_url(base_url: str) -> bool:
    """Loopback, private-network and ``.local`` hosts, which usually need no API key."""
    host = urlparse(base_url).hostname or ""
    if host in {"localhost", "host.docker.internal"} or host.endswith((".local", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def default_structured_mode(base_url: str) -> StructuredMode:
    """json_schema for OpenAI itself; json_object+schema elsewhere (llama_cpp.server rejects json_schema)."""
    return (
        StructuredMode.JSON_SCHEMA if is_official_openai(base_url) else StructuredMode.JSON_OBJECT
    )


def context_window_for(model: str, default: int = DEFAULT_CONTEXT_WINDOW) -> int:
    """The known context window of ``model`` (the table in :mod:`protosmith.llm.limits`)."""
    known = known_model(model)
    return known.context_window if known is not None else default


def _retry_after(headers: Any) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``), if any."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    return None


class OpenAIBackend:
    """Chat completions against an OpenAI-compatible endpoint, with honest errors."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        token_counter: TokenCounter | None = None,
        backoff_base_s: float = BACKOFF_BASE_S,
    ) -> None:
        self.base_url = (settings.base_url or OPENAI_URL).rstrip("/")
        official = is_official_openai(self.base_url)
        if settings.model:
            self.model = settings.model
        elif official:
            self.model = DEFAULT_OPENAI_MODEL
        else:
            raise BackendUnavailable(
                f"no model set for {self.base_url}",
                hint=f"pass --model NAME (the server lists its models at GET {self.base_url}/models)",
            )
        self.api_key_env = settings.api_key_env
        key = os.environ.get(self.api_key_env, "")
        if not key:
            if not is_local_url(self.base_url):
                raise BackendUnavailable(
                    f"no API key for {self.base_url}",
                    hint=f"set the environment variable {self.api_key_env}",
                )
            key = DUMMY_KEY
        self._api_key = key
        import openai

        self._openai = openai
        self._client = openai.AsyncOpenAI(
            base_url=self.base_url, api_key=key, timeout=settings.timeout_s, max_retries=0
        )
        self.timeout_s = settings.timeout_s
        self.max_retries = settings.max_retries
        self.backoff_base_s = backoff_base_s
        self.structured_mode = settings.structured_mode or default_structured_mode(self.base_url)
        self._official = official
        self._counter = token_counter
        self._settings = settings
        self._endpoint: EndpointLimits | None = None
        self.limits: EffectiveLimits = settle(settings, model=self.model)
        """Planned from the setting, the table or the default until the endpoint is asked."""
        self._slots = settings.concurrency

    async def endpoint_limits(self) -> EndpointLimits:
        """Ask the endpoint once what it serves and how large the window is (a few seconds at most)."""
        if self._endpoint is None:
            self._endpoint = await asyncio.to_thread(
                discover_endpoint_limits,
                self.base_url,
                self.model,
                api_key=self._api_key,
                timeout=min(self.timeout_s, 5.0),
            )
            if self._endpoint.parallel_slots:
                self._slots = min(self._slots, self._endpoint.parallel_slots)
        return self._endpoint

    def use_limits(self, limits: EffectiveLimits) -> None:
        """Adopt the planned limits; ``capabilities.context_window`` reports them from now on."""
        self.limits = limits

    @property
    def token_counter(self) -> TokenCounter:
        """tiktoken for the model name (exact for OpenAI models), loaded on first use."""
        if self._counter is None:
            self._counter = counter_for_model(self.model)
        return self._counter

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            context_window=self.limits.context_window,
            parallel_slots=self._slots,
            structured_mode=self.structured_mode,
            token_counter=self.token_counter,
            device=DeviceInfo(kind="remote", name=self.base_url),
            model=self.model,
            backend=self.name,
        )

    def _arguments(self, request: CompletionRequest) -> dict[str, Any]:
        messages = [m.model_dump() for m in request.messages]
        args: dict[str, Any] = {"model": self.model, "messages": messages}
        reasoning = self._official and self.model.startswith(_REASONING_PREFIXES)
        args["max_completion_tokens" if self._official else "max_tokens"] = request.max_tokens
        if not reasoning:
            args["temperature"] = request.temperature
        if request.stop:
            args["stop"] = request.stop
        if request.seed is not None:
            args["seed"] = request.seed
        schema = request.json_schema
        if schema is not None:
            if self.structured_mode == StructuredMode.JSON_SCHEMA:
                args["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": schema, "strict": False},
                }
            elif self.structured_mode == StructuredMode.JSON_OBJECT:
                args["response_format"] = {"type": "json_object", "schema": schema}
            else:
                instruction = render("schema_instruction.j2", schema=json.dumps(schema))
                args["messages"] = [*messages, {"role": "system", "content": instruction}]
        return args

    async def complete(self, request: CompletionRequest) -> Completion:
        """One completion, retrying transient failures at most ``max_retries`` times."""
        arguments = self._arguments(request)
        attempt = 0
        while True:
            try:
                response = await self._client.chat.completions.create(**arguments)
                return self._completion(request, response)
            except (self._openai.OpenAIError, ValueError) as raw:
                error, wait = self._translate(raw)
                if isinstance(raw, self._openai.NotFoundError):
                    error = await self._not_found(error)
            if not error.retryable or attempt >= self.max_retries:
                if attempt:
                    error.args = (f"{error.args[0]} (after {attempt + 1} attempts)",)
                raise error
            delay = min(wait, RETRY_AFTER_CAP_S) if wait is not None else self._backoff(attempt)
            log.warning("%s; retrying in %.1fs", error, delay)
            attempt += 1
            await asyncio.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        delay: float = min(BACKOFF_CAP_S, self.backoff_base_s * 2**attempt)
        return delay * (0.75 + random.random() / 2)  # nosec B311

    def _completion(self, request: CompletionRequest, response: Any) -> Completion:
        choices = getattr(response, "choices", None)
        if not choices or getattr(choices[0], "message", None) is None:
            raise ValueError("the response has no choices")
        choice = choices[0]
        text = choice.message.content or ""
        finish = _FINISH.get(choice.finish_reason or "stop", "error")
        raw_usage = getattr(response, "usage", None)
        if raw_usage is not None and raw_usage.prompt_tokens is not None:
            usage = Usage(
                prompt_tokens=raw_usage.prompt_tokens,
                completion_tokens=raw_usage.completion_tokens or 0,
            )
        else:
            counter = self.token_counter
            usage = Usage(
                prompt_tokens=sum(counter.count(m.content) for m in request.messages),
                completion_tokens=counter.count(text),
                estimated=True,
            )
        served = self._endpoint.serves_model if self._endpoint is not None else None
        price = cost(self.model, usage, served=served, official=self._official)
        usage.cost_usd, usage.priced = (price, True) if price is not None else (0.0, False)
        return Completion(text=text, finish_reason=finish, usage=usage, model=self.model)

    def _translate(self, raw: Exception) -> tuple[BackendError, float | None]:
        """One clear error per failure kind, and how long the server asked us to wait."""
        openai = self._openai
        url = self.base_url
        if isinstance(raw, openai.APITimeoutError):
            return BackendError(
                f"request to {url} timed out after {self.timeout_s:g}s",
                hint=f"raise the timeout ({TIMEOUT_KNOBS}), lower the completion limit "
                "(--max-tokens / PROTOSMITH_MAX_TOKENS), or check the server's load",
                retryable=True,
            ), None
        if isinstance(raw, openai.APIConnectionError):
            cause = raw.__cause__ or raw.__context__
            detail = f": {type(cause).__name__}" if cause is not None else ""
            return BackendError(
                f"cannot connect to {url}{detail}",
                hint="is the server running and the base URL right (it usually ends in /v1)?",
                retryable=True,
            ), None
        if isinstance(raw, openai.APIStatusError):
            return self._status_error(raw), _retry_after(raw.response.headers)
        if isinstance(raw, ValueError | openai.APIResponseValidationError):
            return BackendError(
                f"invalid response body from {url} ({raw})",
                hint="the server did not answer in the OpenAI chat-completions format; check the base URL",
                retryable=True,
            ), None
        return BackendError(f"request to {url} failed: {raw}"), None

    def _status_error(self, raw: Any) -> BackendError:
        url, status = self.base_url, raw.status_code
        detail = _server_message(raw)
        if status in (401, 403):
            return BackendError(
                f"authentication failed at {url} (HTTP {status})",
                hint=f"set the environment variable {self.api_key_env} to a valid API key",
            )
        if status == 404:
            return BackendError(
                f"model {self.model!r} not found at {url} (HTTP 404{detail})",
                hint=f"pass --model with a model the server serves (see GET {url}/models), "
                "and check the base URL ends in /v1",
            )
        if status == 429:
            return BackendError(
                f"rate limited by {url} (HTTP 429{detail})",
                hint="lower --concurrency, wait, or raise your rate limit",
                retryable=True,
            )
        if status >= 500:
            return BackendError(
                f"server error at {url} (HTTP {status}{detail})",
                hint="the endpoint failed; check its logs or try again later",
                retryable=True,
            )
        if _CONTEXT_ERROR.search(detail):
            stated = _STATED_WINDOW.search(detail)
            real = f" ({stated.group(1)} tokens, it says)" if stated else ""
            return BackendError(
                f"request rejected by {url} (HTTP {status}{detail})",
                hint=f"the server's context window{real} is smaller than the "
                f"{self.limits.context_window} tokens protosmith planned with "
                f"({self.limits.context_source.value}); pass the server's real window with "
                f"{CONTEXT_KNOBS}, or lower the completion limit with "
                "--max-tokens / PROTOSMITH_MAX_TOKENS",
            )
        return BackendError(
            f"request rejected by {url} (HTTP {status}{detail})",
            hint="the prompt may exceed the model's context window "
            f"({CONTEXT_KNOBS}), or the server lacks a feature "
            "(try structuredMode json_object or none: PROTOSMITH_STRUCTURED_MODE)",
        )

    async def _not_found(self, error: BackendError) -> BackendError:
        """A 404 at a base URL without ``/v1``: point at the URL that answers, if one does."""
        if self.base_url.endswith("/v1"):
            return error
        candidate = f"{server_root(self.base_url)}/v1"
        probe = await asyncio.to_thread(
            discover_endpoint_limits, candidate, self.model, api_key=self._api_key, timeout=3.0
        )
        if probe.served_models is None:
            return error
        error.args = (f"{self.base_url} answered HTTP 404: there is no OpenAI API at that path",)
        error.hint = (
            f"the endpoint answers at {candidate}: pass --base-url {candidate} "
            "(PROTOSMITH_BASE_URL)"
            + ("" if probe.serves_model else f"; it lists {', '.join(probe.served_models[:5])}")
        )
        return error

    async def aclose(self) -> None:
        await self._client.close()


def _server_message(raw: Any) -> str:
    body = getattr(raw, "body", None)
    message = ""
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = str(inner.get("message", "")) if isinstance(inner, dict) else str(inner)
    return f": {message[:300]}" if message else ""
