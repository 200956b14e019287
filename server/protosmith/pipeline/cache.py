"""A content-addressed cache in front of any backend, with journaling and budget checks.

The key is a sha256 over everything that determines the reply (backend, model, messages,
limits, schema, stop, seed), so an unchanged re-run makes no LLM calls and a changed prompt
never gets a stale reply. Only clean completions (``finish_reason == "stop"``) are stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from protosmith.context.secrets import known_secrets, redact_record
from protosmith.llm.base import Backend, Capabilities, Completion, CompletionRequest, Usage
from protosmith.pipeline.budget import Accountant
from protosmith.pipeline.journal import Journal
from protosmith.pipeline.writer import atomic_write_text

log = logging.getLogger(__name__)

KEY_VERSION = "protosmith-cache-v1"


def cache_key(backend: str, model: str, request: CompletionRequest) -> str:
    """The stable content address of a request (independent of the calling agent)."""
    material = {
        "version": KEY_VERSION,
        "backend": backend,
        "model": model,
        "messages": [[m.role, m.content] for m in request.messages],
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "json_schema": request.json_schema,
        "stop": list(request.stop),
        "seed": request.seed,
    }
    encoded = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class CachingBackend:
    """Wraps a backend: answers repeated requests from disk, journals and accounts every call.

    ``calls`` counts real LLM calls, ``hits`` counts replies served from the cache (they cost
    nothing). Identical requests in flight at once are sent only once.
    """

    def __init__(
        self,
        inner: Backend,
        cache_dir: Path,
        *,
        journal: Journal | None = None,
        accountant: Accountant | None = None,
        api_key_env: str | None = "OPENAI_API_KEY",
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache_dir = Path(cache_dir)
        self.journal = journal
        self.accountant = accountant
        self._api_key_env = api_key_env
        self.calls = 0
        self.hits = 0
        self.errors = 0
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    def key(self, request: CompletionRequest) -> str:
        """The cache key of ``request`` for the wrapped backend and model (and its seed)."""
        caps = self.capabilities
        if request.seed is None and caps.seed is not None:
            request = request.model_copy(update={"seed": caps.seed})
        return cache_key(self.inner.name, caps.model, request)

    def _path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _load(self, key: str) -> Completion | None:
        path = self._path(key)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return Completion.model_validate(payload["completion"])
        except FileNotFoundError:
            return None
        except (OSError, KeyError, TypeError, json.JSONDecodeError, ValidationError) as error:
            log.warning("cache entry %s unreadable (%s); asking the model again", path, error)
            return None

    def _store(self, key: str, request: CompletionRequest, completion: Completion) -> None:
        path = self._path(key)
        payload = {
            "key": key,
            "backend": self.inner.name,
            "model": self.capabilities.model,
            "agent": request.agent,
            "created": time.time(),
            "request": request.model_dump(mode="json"),
            "completion": completion.model_dump(mode="json"),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(
            path, json.dumps(redact_record(payload, known_secrets(self._api_key_env)))
        )

    def forget(self, request: CompletionRequest) -> None:
        """Drop the stored reply to ``request``: the caller found it unusable (it failed validation).

        Without this, a re-run or a resumed run would replay the same invalid reply forever.
        """
        self._path(self.key(request)).unlink(missing_ok=True)

    def _event(self, kind: str, **data: Any) -> None:
        if self.journal is not None:
            self.journal.event(kind, **data)

    async def complete(self, request: CompletionRequest) -> Completion:
        """Serve from the cache, or check the budget, call the backend and remember the reply."""
        key = self.key(request)
        self._event(
            "llm_request",
            agent=request.agent,
            key=key,
            model=self.capabilities.model,
            messages=len(request.messages),
            prompt_chars=sum(len(m.content) for m in request.messages),
            max_tokens=request.max_tokens,
            structured=request.json_schema is not None,
        )
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                cached = self._load(key)
                if cached is not None:
                    self.hits += 1
                    self._event(
                        "llm_response",
                        agent=request.agent,
                        key=key,
                        cache_hit=True,
                        finish_reason=cached.finish_reason,
                        usage=Usage().model_dump(),
                        saved_usage=cached.usage.model_dump(),
                        duration_s=0.0,
                    )
                    free = Usage(estimated=cached.usage.estimated)
                    return cached.model_copy(update={"usage": free})
                return await self._call(key, request)
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def _call(self, key: str, request: CompletionRequest) -> Completion:
        if self.accountant is not None:
            self.accountant.check()
        started = time.perf_counter()
        try:
            completion = await self.inner.complete(request)
        except asyncio.CancelledError:
            self._event("llm_cancelled", agent=request.agent, key=key)
            raise
        except Exception as error:
            self.errors += 1
            self._event(
                "llm_error",
                agent=request.agent,
                key=key,
                error=type(error).__name__,
                message=str(error)[:500],
            )
            raise
        self.calls += 1
        if self.accountant is not None:
            self.accountant.add(request.agent, completion.usage)
        # A reply cut off at max_tokens is kept too: what follows it (a continuation or a
        # retry) is keyed by it, so a re-run replays the same chain instead of asking again.
        if completion.finish_reason in ("stop", "length"):
            try:
                self._store(key, request, completion)
            except OSError as error:
                log.warning("could not write cache entry %s: %s", key, error)
        self._event(
            "llm_response",
            agent=request.agent,
            key=key,
            cache_hit=False,
            finish_reason=completion.finish_reason,
            usage=completion.usage.model_dump(),
            duration_s=round(time.perf_counter() - started, 4),
        )
        return completion

    async def aclose(self) -> None:
        await self.inner.aclose()
