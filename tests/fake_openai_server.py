"""A real loopback HTTP server speaking the OpenAI chat-completions wire format, for tests.

Each POST to ``/v1/chat/completions`` takes the next scripted action (or the default reply):

    with FakeOpenAIServer() as server:
        server.enqueue(Status(429, headers={"Retry-After": "1"}), Reply('{"a": 1}'))
        client = AsyncOpenAI(base_url=server.base_url, api_key="x")

Actions: :class:`Reply` (200 with a completion), :class:`Status` (any status, JSON error body),
:class:`Stall` (wait, then answer or hang up), :class:`Malformed` (200, invalid JSON),
:class:`Empty` (200, empty body), :class:`Drop` (close the connection without a response).
``GET /v1/models`` lists ``models`` (each entry extended with ``model_fields[name]``, e.g.
vLLM's ``max_model_len``). ``props`` is served at ``GET /props`` (llama.cpp server), ``ollama_ps``
at ``GET /api/ps`` and ``ollama_show`` at ``POST /api/show`` (Ollama); each answers 404 while
None. ``serve_v1_only`` makes ``/models`` answer only under ``/v1`` (a base URL without /v1
then 404s). Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """A 200 chat completion."""

    text: str = "ok"
    finish_reason: str = "stop"
    usage: bool = True
    prompt_tokens: int = 11
    completion_tokens: int = 7


@dataclass
class Status:
    """An HTTP error with an OpenAI-style JSON error body."""

    code: int
    message: str = "scripted error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stall:
    """Wait ``seconds`` (or until the server stops), then answer ``then`` (default: hang up)."""

    seconds: float
    then: Reply | None = None


@dataclass
class Malformed:
    """A 200 whose body is not JSON."""

    body: str = '{"id": "chatcmpl-1", "choices": [ {"message": '


@dataclass
class Empty:
    """A 200 with an empty body."""


@dataclass
class Drop:
    """Close the connection without sending a response."""


Action = Reply | Status | Stall | Malformed | Empty | Drop


@dataclass
class RecordedRequest:
    """What the client sent."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-case names."""
    body: Any
    at: float


class FakeOpenAIServer:
    """A threaded HTTP server on 127.0.0.1 with a queue of scripted actions."""

    def __init__(
        self,
        *,
        default: Action | None = None,
        function: Callable[[RecordedRequest], Action] | None = None,
        models: tuple[str, ...] = ("fake-model",),
        model_fields: dict[str, dict[str, Any]] | None = None,
        props: dict[str, Any] | None = None,
        ollama_ps: dict[str, Any] | None = None,
        ollama_show: dict[str, Any] | None = None,
    ) -> None:
        self.default: Action = default if default is not None else Reply()
        self.function = function
        self.models = models
        self.model_fields = model_fields or {}
        self.props = props
        self.ollama_ps = ollama_ps
        self.ollama_show = ollama_show
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Action] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def completion_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def enqueue(self, *actions: Action) -> None:
        with self._lock:
            self._queue.extend(actions)

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_action(self, request: RecordedRequest) -> Action:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        if self.function is not None:
            return self.function(request)
        return self.default


def _completion_body(reply: Reply, model: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
    }
    if reply.usage:
        body["usage"] = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
    return body


def _headers(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    """Header names in lower case (HTTP names are case-insensitive)."""
    return {key.lower(): value for key, value in handler.headers.items()}


def _handler_class(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _send_json(
            self, code: int, payload: Any, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self._send_raw(code, data, headers)

        def _send_raw(self, code: int, data: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def do_GET(self) -> None:
            server.requests.append(
                RecordedRequest("GET", self.path, _headers(self), None, time.monotonic())
            )
            path = self.path.rstrip("/")
            if path == "/v1/models":
                data = [
                    {
                        "id": m,
                        "object": "model",
                        "owned_by": "fake",
                        **server.model_fields.get(m, {}),
                    }
                    for m in server.models
                ]
                self._send_json(200, {"object": "list", "data": data})
            elif path == "/props" and server.props is not None:
                self._send_json(200, server.props)
            elif path == "/api/ps" and server.ollama_ps is not None:
                self._send_json(200, server.ollama_ps)
            else:
                self._send_json(404, {"error": {"message": "no such route"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"null")
            except json.JSONDecodeError:
                body = raw.decode("utf-8", "replace")
            request = RecordedRequest("POST", self.path, _headers(self), body, time.monotonic())
            if self.path == "/api/show":
                server.requests.append(request)
                if server.ollama_show is None:
                    self._send_json(404, {"error": "not found"})
                else:
                    self._send_json(200, server.ollama_show)
                return
            if not self.path.startswith("/v1/"):
                server.requests.append(request)
                self._send_json(404, {"error": {"message": "no such route"}})
                return
            action = server._next_action(request)
            model = body.get("model", "fake-model") if isinstance(body, dict) else "fake-model"
            self._perform(action, model)

        def _perform(self, action: Action, model: str) -> None:
            if isinstance(action, Reply):
                self._send_json(200, _completion_body(action, model))
            elif isinstance(action, Status):
                error = {"error": {"message": action.message, "type": "scripted", "code": None}}
                self._send_json(action.code, error, action.headers)
            elif isinstance(action, Stall):
                server._stopping.wait(action.seconds)
                if action.then is None or server._stopping.is_set():
                    self._drop()
                else:
                    self._perform(action.then, model)
            elif isinstance(action, Malformed):
                self._send_raw(200, action.body.encode())
            elif isinstance(action, Empty):
                self._send_raw(200, b"")
            else:
                self._drop()

    return Handler
