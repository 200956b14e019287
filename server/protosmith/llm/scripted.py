"""A scripted backend for tests: queued replies or a function of the request.

It records every request so tests can assert on prompts. It is never chosen by accident:
the factory only builds it when ``PROTOSMITH_ALLOW_SCRIPTED=1`` is set (tests do that).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from protosmith.llm.base import (
    Capabilities,
    Completion,
    CompletionRequest,
    DeviceInfo,
    Usage,
)
from protosmith.llm.errors import BackendError
from protosmith.settings import StructuredMode

Reply = str | Completion | BaseException
ReplyFunction = Callable[[CompletionRequest], Reply | Awaitable[Reply]]


class ApproxCounter:
    """Four bytes per token: labelled inexact, good enough for the scripted backend."""

    exact = False

    def count(self, text: str) -> int:
        return max(1, (len(text.encode("utf-8")) + 3) // 4) if text else 0


class ScriptedBackend:
    """Returns queued replies in order, or calls ``function(request)`` for each request."""

    name = "scripted"

    def __init__(
        self,
        replies: list[Reply] | None = None,
        *,
        function: ReplyFunction | None = None,
        context_window: int = 32768,
        parallel_slots: int = 8,
        delay_s: float = 0.0,
        tiny: bool = False,
    ) -> None:
        self._queue: deque[Reply] = deque(replies or [])
        self._function = function
        self._delay_s = delay_s
        self.requests: list[CompletionRequest] = []
        self._capabilities = Capabilities(
            context_window=context_window,
            parallel_slots=parallel_slots,
            structured_mode=StructuredMode.JSON_SCHEMA,
            token_counter=ApproxCounter(),
            device=DeviceInfo(kind="cpu", name="scripted"),
            model="scripted",
            backend="scripted",
            tiny=tiny,
        )

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    def enqueue(self, *replies: Reply) -> None:
        """Add replies to the end of the queue."""
        self._queue.extend(replies)

    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        if self._function is not None:
            reply = self._function(request)
            if asyncio.iscoroutine(reply) or isinstance(reply, Awaitable):
                reply = await reply  # type: ignore[misc]
        elif self._queue:
            reply = self._queue.popleft()
        else:
            raise BackendError("scripted backend: no reply queued", hint="enqueue more replies")
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, Completion):
            return reply
        counter = self._capabilities.token_counter
        prompt = sum(counter.count(m.content) for m in request.messages)
        return Completion(
            text=str(reply),
            usage=Usage(
                prompt_tokens=prompt, completion_tokens=counter.count(str(reply)), estimated=True
            ),
            model="scripted",
        )

    async def aclose(self) -> None:
        return None


def load_script(path: str | Path) -> ScriptedBackend:
    """Build a scripted backend from a file: ``*.py`` defining ``reply(request)``, or ``*.json`` (a list of replies)."""
    path = Path(path)
    if path.suffix == ".json":
        replies: list[Any] = json.loads(path.read_text(encoding="utf-8"))
        return ScriptedBackend([r if isinstance(r, str) else json.dumps(r) for r in replies])
    spec = importlib.util.spec_from_file_location("protosmith_script", path)
    if spec is None or spec.loader is None:
        raise BackendError(f"cannot load scripted backend from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the script look their module up here
    spec.loader.exec_module(module)
    options = getattr(module, "OPTIONS", {})
    return ScriptedBackend(function=module.reply, **options)
