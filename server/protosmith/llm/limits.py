"""How much a model can read and write per call, and where each figure came from.

Every request carries a completion limit (``max_tokens``) and every prompt is built under a
budget; both must fit the model's context window, or the endpoint rejects the call (or, like
Ollama, silently drops the start of the prompt). The window and the output limit come from,
in order:

1. the user's setting (``--context-tokens`` / ``PROTOSMITH_CONTEXT_TOKENS`` /
   ``protosmith.contextTokens``; ``--max-tokens`` / ``PROTOSMITH_MAX_TOKENS`` /
   ``protosmith.maxTokens``);
2. the endpoint, where it says: ``GET /v1/models`` (vLLM ``max_model_len``, OpenRouter and
   LM Studio ``context_length``, Groq ``context_window``...), llama.cpp server's ``GET /props``
   (``default_generation_settings.n_ctx``), Ollama's ``GET /api/ps`` and ``POST /api/show``;
3. a table of known models;
4. a default that suits current strong models (32k context, 16k completion).

:func:`plan_limits` then does the arithmetic once: the completion reservation always fits
inside the window with room left for a prompt; a user's ``max_tokens`` larger than that is
clamped with a warning, never turned into a uselessly small prompt budget.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlparse

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from protosmith.llm.base import Backend
    from protosmith.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_CONTEXT_WINDOW = 32_768
"""Window assumed when neither the user, the endpoint nor the table knows better."""
DEFAULT_MAX_TOKENS = 16_384
"""Default completion limit: room for one complete module of a few hundred lines, as JSON."""
MIN_PROMPT_TOKENS = 1_024
"""A prompt budget below this cannot hold a system prompt, a brief and one module."""
PROBE_TIMEOUT_S = 3.0
OLLAMA_DEFAULT_CONTEXT = 4_096
"""What Ollama allocates when neither ``num_ctx`` nor ``OLLAMA_CONTEXT_LENGTH`` says otherwise."""


class LimitSource(StrEnum):
    """Where an effective value came from (doctor and the run summary show it)."""

    SETTING = "setting"
    ENDPOINT = "endpoint"
    TABLE = "known model"
    DEFAULT = "default"
    BACKEND = "backend"
    """The local backend's own ``nCtx`` (the window llama.cpp allocates)."""


@dataclass(frozen=True)
class KnownModel:
    """Context window and output limit of a model family, from its vendor's documentation."""

    context_window: int
    max_output: int | None = None


KNOWN_MODELS: dict[str, KnownModel] = {
    "gpt-5": KnownModel(400_000, 128_000),
    "gpt-4.1": KnownModel(1_047_576, 32_768),
    "gpt-4o": KnownModel(128_000, 16_384),
    "gpt-4-turbo": KnownModel(128_000, 4_096),
    "gpt-4": KnownModel(8_192, 8_192),
    "gpt-3.5-turbo": KnownModel(16_385, 4_096),
    "o1": KnownModel(200_000, 100_000),
    "o3": KnownModel(200_000, 100_000),
    "o4-mini": KnownModel(200_000, 100_000),
    "gpt-oss": KnownModel(131_072, 32_768),
    "claude-opus-4": KnownModel(200_000, 32_000),
    "claude-sonnet-4": KnownModel(200_000, 64_000),
    "claude-3-7-sonnet": KnownModel(200_000, 64_000),
    "claude-3-5-sonnet": KnownModel(200_000, 8_192),
    "claude-3-5-haiku": KnownModel(200_000, 8_192),
    "gemini-2.5": KnownModel(1_048_576, 65_536),
    "gemini-2.0": KnownModel(1_048_576, 8_192),
    "deepseek-chat": KnownModel(128_000, 8_192),
    "deepseek-reasoner": KnownModel(128_000, 64_000),
    "deepseek-coder": KnownModel(128_000, 8_192),
    "qwen2.5-coder": KnownModel(32_768, 8_192),
    "qwen3-coder": KnownModel(262_144, 65_536),
    "qwen3": KnownModel(32_768, 16_384),
    "codestral": KnownModel(256_000, None),
    "mistral-large": KnownModel(131_072, None),
    "llama-3.1": KnownModel(131_072, None),
    "llama-3.3": KnownModel(131_072, None),
    "llama3.1": KnownModel(131_072, None),
    "llama3.3": KnownModel(131_072, None),
    "gemma-3": KnownModel(131_072, 8_192),
    "gemma3": KnownModel(131_072, 8_192),
}


def _bare(model: str) -> str:
    """``org/Model-Name:tag`` → ``model-name`` (Ollama tags and hub prefixes do not change limits)."""
    return model.rsplit("/", 1)[-1].split(":", 1)[0].lower()


def known_model(model: str) -> KnownModel | None:
    """The table entry for ``model``: exact name, else the longest key it starts with."""
    bare = _bare(model)
    matches = [key for key in KNOWN_MODELS if bare == key or bare.startswith(key + "-")]
    return KNOWN_MODELS[max(matches, key=len)] if matches else None


class EndpointLimits(BaseModel):
    """What an endpoint says about a model (every field optional: servers differ)."""

    context_window: int | None = None
    max_output: int | None = None
    detail: str = ""
    """Which request and field the figure came from, e.g. ``GET /v1/models max_model_len``."""
    served_models: list[str] | None = None
    """Model ids ``GET /models`` listed; None when the endpoint does not list them."""
    parallel_slots: int | None = None
    """llama.cpp server's ``total_slots``: how many requests it decodes at once."""
    serves_model: bool | None = None
    """None when unknown; else whether the model is listed under exactly that name."""
    reachable: bool = True
    notes: list[str] = Field(default_factory=list)


class EffectiveLimits(BaseModel):
    """The limits a run uses, each with its source; doctor and the run summary show them."""

    context_window: int
    context_source: LimitSource
    context_detail: str = ""
    max_tokens: int
    """Completion tokens requested per call (``max_tokens`` on the wire)."""
    max_tokens_source: LimitSource
    prompt_budget: int
    """Tokens a prompt may take: the window minus the completion reservation (or the setting)."""
    prompt_budget_source: LimitSource = LimitSource.DEFAULT
    model_max_output: int | None = None
    """The model's own output cap, when the endpoint or the table knows it."""
    warnings: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        """One line for terminals: ``context 32768 (endpoint), completion 16384 (default)...``."""
        context = f"context window {self.context_window} tokens ({self._where()})"
        completion = f"completion limit {self.max_tokens} ({self.max_tokens_source.value})"
        return f"{context}, {completion}, prompt budget {self.prompt_budget}"

    def _where(self) -> str:
        if self.context_detail:
            return f"{self.context_source.value}: {self.context_detail}"
        return self.context_source.value


CONTEXT_KNOBS = "--context-tokens / PROTOSMITH_CONTEXT_TOKENS / protosmith.contextTokens"
MAX_TOKENS_KNOBS = "--max-tokens / PROTOSMITH_MAX_TOKENS / protosmith.maxTokens"


def plan_limits(
    *,
    context_window: int,
    context_source: LimitSource,
    context_detail: str = "",
    max_tokens: int | None,
    model_max_output: int | None = None,
    max_prompt_tokens: int | None = None,
) -> EffectiveLimits:
    """The completion reservation and prompt budget for one window; clamps with warnings.

    ``max_tokens`` is the user's setting (None: default). ``max_prompt_tokens`` is the user's
    explicit prompt budget cap (``maxContextTokens``): honoured when it fits, and when the
    window is only a guess (table or default) the window grows to hold it.
    """
    warnings: list[str] = []
    if max_tokens is None:
        source = LimitSource.DEFAULT
        completion = DEFAULT_MAX_TOKENS
        if model_max_output:
            completion = min(completion, model_max_output)
        completion = min(completion, max(context_window // 2, 1))
    else:
        source = LimitSource.SETTING
        completion = max_tokens
        if model_max_output and completion > model_max_output:
            warnings.append(
                f"max_tokens={max_tokens} exceeds the model's output limit of "
                f"{model_max_output}; using {model_max_output}"
            )
            completion = model_max_output
    guessed = context_source in (LimitSource.DEFAULT, LimitSource.TABLE)
    if max_prompt_tokens is not None and guessed:
        context_window = max(context_window, max_prompt_tokens + completion)
    floor = min(max(MIN_PROMPT_TOKENS, context_window // 4), context_window // 2)
    room = context_window - floor
    if completion > room:
        if source is LimitSource.SETTING:
            warnings.append(
                f"max_tokens={completion} does not fit the {context_window}-token context window "
                f"with room for a prompt; using {room} (raise the window with {CONTEXT_KNOBS} "
                f"if the model has more, or lower {MAX_TOKENS_KNOBS})"
            )
        completion = room
    prompt = context_window - completion
    prompt_source = context_source
    if max_prompt_tokens is not None:
        prompt_source = LimitSource.SETTING
        if max_prompt_tokens > prompt:
            warnings.append(
                f"maxContextTokens={max_prompt_tokens} plus max_tokens={completion} exceeds the "
                f"{context_window}-token context window; the prompt budget is {prompt}"
            )
            prompt_source = context_source
        else:
            prompt = max_prompt_tokens
    return EffectiveLimits(
        context_window=context_window,
        context_source=context_source,
        context_detail=context_detail,
        max_tokens=completion,
        max_tokens_source=source,
        prompt_budget=prompt,
        prompt_budget_source=prompt_source,
        model_max_output=model_max_output,
        warnings=warnings,
    )


def window_for_remote(
    model: str, endpoint: EndpointLimits | None, setting: int | None
) -> tuple[int, LimitSource, str, int | None]:
    """The window of a remote model (setting, endpoint, table, default) and its output cap."""
    table = known_model(model)
    output = endpoint.max_output if endpoint and endpoint.max_output else None
    if output is None and table is not None:
        output = table.max_output
    if setting is not None:
        return setting, LimitSource.SETTING, "", output
    if endpoint is not None and endpoint.context_window:
        return endpoint.context_window, LimitSource.ENDPOINT, endpoint.detail, output
    if table is not None:
        return table.context_window, LimitSource.TABLE, _bare(model), output
    return DEFAULT_CONTEXT_WINDOW, LimitSource.DEFAULT, "", output


# --- discovery -------------------------------------------------------------------------------

_WINDOW_FIELDS = ("max_model_len", "context_length", "context_window", "max_context_length")
_OUTPUT_FIELDS = ("max_completion_tokens", "max_output_tokens")


def server_root(base_url: str) -> str:
    """``http://host:port/v1`` → ``http://host:port`` (llama.cpp and Ollama serve beside /v1)."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def _positive(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 0:
        return int(value)
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


class _Fetcher:
    """Small JSON requests with the key in a header (never logged) and a short timeout."""

    def __init__(self, api_key: str | None, timeout: float) -> None:
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout

    def __call__(self, url: str, body: dict[str, Any] | None = None) -> Any:
        """Parsed JSON, or raise OSError/ValueError (HTTPError is an OSError)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        request = urllib.request.Request(url, data=data, headers=headers)  # nosec B310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # nosec B310
            return json.loads(response.read(1 << 22).decode("utf-8", "replace"))


def _from_models_entry(entry: dict[str, Any], limits: EndpointLimits, path: str) -> None:
    for name in _WINDOW_FIELDS:
        value = _positive(entry.get(name))
        if value:
            limits.context_window, limits.detail = value, f"GET {path} {name}"
            break
    provider = entry.get("top_provider")
    for source in (entry, provider if isinstance(provider, dict) else {}):
        for name in _OUTPUT_FIELDS:
            value = _positive(source.get(name))
            if value and limits.max_output is None:
                limits.max_output = value


def _models(fetch: _Fetcher, base: str, model: str, limits: EndpointLimits) -> dict[str, Any]:
    """``GET {base}/models``: the served ids and the entry of ``model`` (empty if absent)."""
    payload = fetch(f"{base}/models")
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        return {}
    entries = [entry for entry in data if isinstance(entry, dict)]
    limits.served_models = [str(entry.get("id", "")) for entry in entries]
    limits.serves_model = model in limits.served_models
    for entry in entries:
        if entry.get("id") == model:
            _from_models_entry(entry, limits, urlparse(f"{base}/models").path)
            return entry
    return {}


def _llama_props(fetch: _Fetcher, root: str, limits: EndpointLimits) -> bool:
    """llama.cpp server's ``GET /props``: the per-slot ``n_ctx`` it really allocated."""
    payload = fetch(f"{root}/props")
    if not isinstance(payload, dict):
        return False
    settings = payload.get("default_generation_settings")
    settings = settings if isinstance(settings, dict) else {}
    window = _positive(settings.get("n_ctx")) or _positive(payload.get("n_ctx"))
    slots = _positive(payload.get("total_slots"))
    if slots:
        limits.parallel_slots = slots
    params = settings.get("params")
    n_predict = _positive(params.get("n_predict")) if isinstance(params, dict) else None
    if n_predict:
        limits.max_output = n_predict
    if window:
        limits.context_window, limits.detail = window, "GET /props n_ctx"
        return True
    return False


def _ollama(fetch: _Fetcher, root: str, model: str, limits: EndpointLimits) -> bool:
    """Ollama: the loaded model's real window (``/api/ps``), else ``num_ctx`` (``/api/show``)."""
    running = fetch(f"{root}/api/ps")
    for entry in running.get("models", []) if isinstance(running, dict) else []:
        if isinstance(entry, dict) and model in (entry.get("name"), entry.get("model")):
            window = _positive(entry.get("context_length"))
            if window:
                limits.context_window, limits.detail = window, "GET /api/ps context_length"
                return True
    shown = fetch(f"{root}/api/show", {"model": model})
    if not isinstance(shown, dict):
        return False
    for line in str(shown.get("parameters", "")).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "num_ctx" and _positive(parts[1]):
            limits.context_window = int(parts[1])
            limits.detail = "POST /api/show num_ctx"
            return True
    info = shown.get("model_info")
    trained = None
    if isinstance(info, dict):
        trained = next(
            (_positive(v) for k, v in info.items() if k.endswith(".context_length")), None
        )
    limits.context_window = OLLAMA_DEFAULT_CONTEXT
    limits.detail = "Ollama's default num_ctx (the model is not loaded and sets no num_ctx)"
    limits.notes.append(
        f"Ollama serves {model!r} with its default context of {OLLAMA_DEFAULT_CONTEXT} tokens"
        + (f" (the model supports {trained})" if trained else "")
        + " unless the server sets OLLAMA_CONTEXT_LENGTH; set it there and pass the same "
        f"value with {CONTEXT_KNOBS}"
    )
    return True


def discover_endpoint_limits(
    base_url: str, model: str, *, api_key: str | None = None, timeout: float = PROBE_TIMEOUT_S
) -> EndpointLimits:
    """Ask the endpoint what it serves and how large the model's window is (blocking; seconds).

    Never raises: an endpoint that says nothing yields an empty :class:`EndpointLimits`.
    """
    fetch = _Fetcher(api_key, timeout)
    base = base_url.rstrip("/")
    root = server_root(base)
    limits = EndpointLimits()
    entry: dict[str, Any] = {}
    try:
        entry = _models(fetch, base, model, limits)
    except urllib.error.HTTPError:
        pass  # a server without /models may still answer the others
    except (OSError, ValueError) as error:
        limits.reachable = False
        limits.notes.append(f"cannot reach {base}/models ({error})")
        return limits
    if limits.context_window or (urlparse(base).hostname or "").endswith("api.openai.com"):
        return limits
    owner = str(entry.get("owned_by", ""))
    probes: list[Any] = []
    if owner in ("library", "ollama") or urlparse(root).port == 11434:
        probes = [lambda: _ollama(fetch, root, model, limits)]
    else:
        probes = [
            lambda: _llama_props(fetch, root, limits),
            lambda: _ollama(fetch, root, model, limits),
        ]
    for probe in probes:
        try:
            if probe():
                break
        except (OSError, ValueError, AttributeError, TypeError) as error:
            log.debug("limits probe failed: %s", error)
    return limits


# --- the effective limits of a backend --------------------------------------------------------


@runtime_checkable
class EndpointProbe(Protocol):
    """A backend that can ask its endpoint about the model (the OpenAI-compatible one)."""

    async def endpoint_limits(self) -> EndpointLimits:
        """What the endpoint says (cached after the first call; never raises)."""
        ...

    def use_limits(self, limits: EffectiveLimits) -> None:
        """Adopt the planned limits (the capabilities then report the real window)."""
        ...


def settle(
    settings: Settings,
    *,
    model: str,
    endpoint: EndpointLimits | None = None,
    backend_window: int | None = None,
) -> EffectiveLimits:
    """The effective limits for ``settings``: a remote model (``backend_window`` None) takes its
    window from the setting, the endpoint, the table or the default; a local one from nCtx."""
    output: int | None = None
    if backend_window is None:
        window, source, detail, output = window_for_remote(model, endpoint, settings.context_tokens)
    elif settings.context_tokens is not None:
        window, source, detail = settings.context_tokens, LimitSource.SETTING, ""
    else:
        window, source, detail = backend_window, LimitSource.BACKEND, "the model's nCtx"
    limits = plan_limits(
        context_window=window,
        context_source=source,
        context_detail=detail,
        max_tokens=settings.max_tokens,
        model_max_output=output,
        max_prompt_tokens=settings.max_context_tokens,
    )
    if endpoint is not None:
        limits.warnings[:0] = endpoint.notes
    return limits


async def effective_limits(backend: Backend, settings: Settings) -> EffectiveLimits:
    """Ask the endpoint (if the backend has one), plan the limits, and hand them to the backend."""
    capabilities = backend.capabilities
    if isinstance(backend, EndpointProbe):
        endpoint = await backend.endpoint_limits()
        limits = settle(settings, model=capabilities.model, endpoint=endpoint)
        backend.use_limits(limits)
    else:
        limits = settle(
            settings, model=capabilities.model, backend_window=capabilities.context_window
        )
    for warning in limits.warnings:
        log.warning("%s", warning)
    return limits
