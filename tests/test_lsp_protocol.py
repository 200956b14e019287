"""The protocol edge, as the LSP specification says, against a real ``protosmith serve`` over stdio.

Raw bytes go in (no client library smooths them), and every answer, the server's stderr and its
log file are checked: bodies that do not parse get -32700, requests before ``initialize`` get
-32002 without a traceback, requests after ``shutdown`` get InvalidRequest, a second
``initialize`` is refused, ``Content-Length`` is bounded, odd cancels and never-opened documents
are ignored, a lone surrogate breaks nothing, and ``exit`` is prompt even while work is running.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

SERVER = [sys.executable, "-m", "protosmith", "serve"]


def frame(body: bytes) -> bytes:
    return b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


class RawServer:
    """A ``protosmith serve`` child process spoken to in raw JSON-RPC frames."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.messages: list[dict[str, Any]] = []
        self.stderr = b""
        self._reader = asyncio.create_task(self._read())
        self._errors = asyncio.create_task(self._read_stderr())

    @classmethod
    async def start(cls, cwd: Path, env: dict[str, str] | None = None) -> RawServer:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
        environment.update(env or {})
        process = await asyncio.create_subprocess_exec(
            *SERVER,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=cwd,
            env=environment,
            limit=2**26,
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while True:
            try:
                header = await self.process.stdout.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                return
            length = 0
            for line in header.decode("ascii").split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            self.messages.append(json.loads(await self.process.stdout.readexactly(length)))

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr = await self.process.stderr.read()

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)

    def send(self, payload: dict[str, Any]) -> None:
        self.send_raw(frame(json.dumps(payload).encode()))

    def request(self, msg_id: int | str, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    async def answer(self, msg_id: Any, timeout: float = 30) -> dict[str, Any]:
        """The response to ``msg_id`` (``None`` for an error whose id is null)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if "method" not in message and message.get("id", "absent") == msg_id:
                    self.messages.remove(message)
                    return message
            await asyncio.sleep(0.01)
        raise AssertionError(f"no answer to {msg_id!r}; got {self.messages}")

    async def notification(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message.get("method") == method and "id" not in message:
                    self.messages.remove(message)
                    return message
            await asyncio.sleep(0.01)
        raise AssertionError(f"no {method}; got {self.messages}")

    async def initialize(self, root: Path, **extra: Any) -> dict[str, Any]:
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}, **extra}
        self.request(1, "initialize", params)
        answer = await self.answer(1)
        self.notify("initialized", {})
        return answer

    async def close(self, timeout: float = 10) -> float:
        """Shut down and exit; the seconds between ``exit`` and the end of the process."""
        self.request("shutdown", "shutdown")
        await self.answer("shutdown")
        started = time.monotonic()
        self.notify("exit")
        await asyncio.wait_for(self.process.wait(), timeout)
        elapsed = time.monotonic() - started
        await self._errors
        self._reader.cancel()
        return elapsed

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        self._errors.cancel()


@pytest.fixture
async def server(tmp_path: Path):
    running = await RawServer.start(tmp_path)
    yield running
    await running.kill()


async def test_requests_before_initialize_get_server_not_initialized(
    server: RawServer, tmp_path: Path
) -> None:
    server.request(7, "textDocument/hover", {"textDocument": {"uri": "file:///x.py"}})
    answer = await server.answer(7)
    assert answer["error"]["code"] == -32002, answer
    assert "data" not in answer["error"], answer
    server.notify("textDocument/didOpen", {"textDocument": {}})  # dropped, no answer
    await server.initialize(tmp_path)
    second = {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}
    server.request(2, "initialize", second)
    refused = await server.answer(2)
    assert refused["error"]["code"] == -32600, refused
    assert await server.close() < 1.5
    assert server.process.returncode == 0
    assert b"Traceback" not in server.stderr, server.stderr.decode(errors="replace")


@pytest.mark.parametrize(
    ("body", "expected_id"),
    [
        (b'{"jsonrpc": "2.0", "id": 5, "method": "textDocument/hover", "params": {', 5),
        (b'{"jsonrpc":"2.0","id":6,"method":"textDocument/hover","params":{"x":"\xff\xfe"}}', 6),
        (b"[" * 100_000 + b"]" * 100_000, None),
        (b'{"jsonrpc":"2.0","id":8,"params":' + b"[" * 50_000 + b"]" * 50_000 + b"}", 8),
        (b"[1, 2, 3]", None),
        (b"42", None),
        (b'"text"', None),
    ],
    ids=["truncated", "invalid-utf8", "deep-array", "deep-params", "array", "number", "string"],
)
async def test_bodies_that_do_not_parse_get_a_parse_error(
    server: RawServer, tmp_path: Path, body: bytes, expected_id: int | None
) -> None:
    await server.initialize(tmp_path)
    server.send_raw(frame(body))
    answer = await server.answer(expected_id)
    assert answer["error"]["code"] == -32700, answer
    assert answer["id"] == expected_id
    server.request(9, "textDocument/documentSymbol", {"textDocument": {"uri": "file:///a.toml"}})
    assert "result" in await server.answer(9)
    await server.close()
    assert b"Traceback" not in server.stderr, server.stderr.decode(errors="replace")


async def test_an_absurd_content_length_is_refused_not_allocated(
    server: RawServer, tmp_path: Path
) -> None:
    await server.initialize(tmp_path)
    server.send_raw(b"Content-Length: 99999999999999999\r\n\r\n")
    answer = await server.answer(None)
    assert answer["error"]["code"] == -32700, answer
    assert "exceeds" in answer["error"]["message"]
    assert server.process.stdin is not None
    server.process.stdin.close()  # the rest of the "body" never comes: end of input
    await asyncio.wait_for(server.process.wait(), 30)
    await asyncio.wait_for(server._errors, 30)
    assert b"MemoryError" not in server.stderr and b"Traceback" not in server.stderr


async def test_after_shutdown_requests_are_invalid_and_exit_is_prompt(
    server: RawServer, tmp_path: Path
) -> None:
    await server.initialize(tmp_path)
    server.request(3, "shutdown")
    assert "result" in await server.answer(3)
    server.request(4, "textDocument/hover", {"textDocument": {"uri": "file:///x.py"}})
    answer = await server.answer(4)
    assert answer["error"]["code"] == -32600, answer
    started = time.monotonic()
    server.notify("exit")
    await asyncio.wait_for(server.process.wait(), 10)
    assert time.monotonic() - started < 1.0
    assert server.process.returncode == 0


async def test_odd_cancels_and_never_opened_documents_are_ignored(
    server: RawServer, tmp_path: Path
) -> None:
    await server.initialize(tmp_path)
    server.notify("$/cancelRequest", {"id": {}})
    server.notify("$/cancelRequest", {"id": 123456})
    server.notify("$/cancelRequest", {"id": [1]})
    missing = (tmp_path / "missing.py").as_uri()
    null_byte = tmp_path.as_uri() + "/bad%00name.py"
    for uri in (missing, null_byte):
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": "x = 1\n"}],
            },
        )
    server.request(5, "textDocument/documentSymbol", {"textDocument": {"uri": missing}})
    assert "result" in await server.answer(5)
    await asyncio.sleep(1.0)  # a check scheduled by didSave would run now
    assert not [m for m in server.messages if m.get("method") == "window/showMessage"]
    await server.close()
    stderr = server.stderr.decode(errors="replace")
    for word in ("Traceback", "FileNotFoundError", "null byte", "TypeError", "ERROR"):
        assert word not in stderr, stderr


async def test_expected_command_errors_have_no_traceback_anywhere(
    server: RawServer, tmp_path: Path
) -> None:
    log_file = tmp_path / "server.log"
    await server.initialize(
        tmp_path, initializationOptions={"protosmith": {"logFile": str(log_file)}}
    )
    server.request(
        6,
        "workspace/executeCommand",
        {"command": "protosmith.refine", "arguments": [{"uri": (tmp_path / "a.py").as_uri()}]},
    )
    answer = await server.answer(6)
    assert answer["error"]["code"] == -32602, answer
    assert "instruction" in answer["error"]["message"]
    server.request(
        7, "workspace/executeCommand", {"command": "protosmith.refine", "arguments": [1, 2]}
    )
    assert (await server.answer(7))["error"]["code"] == -32602
    server.request(
        8, "workspace/executeCommand", {"command": "protosmith.showRun", "arguments": []}
    )
    assert (await server.answer(8))["error"]["code"] == -32602
    await server.close()
    assert b"Traceback" not in server.stderr, server.stderr.decode(errors="replace")
    assert "Traceback" not in log_file.read_text(encoding="utf-8")


async def test_a_lone_surrogate_in_python_text_is_reviewed_and_logged(
    server: RawServer, tmp_path: Path
) -> None:
    log_file = tmp_path / "server.log"
    await server.initialize(
        tmp_path,
        initializationOptions={"protosmith": {"logFile": str(log_file), "trace": "messages"}},
    )
    path = tmp_path / "lone.py"
    text = 'import yaml\n\n\ndef load(data):\n    label = "\\ud800"\n    return yaml.load(data)\n'
    path.write_text(text.replace("\\ud800", "?"), encoding="utf-8")
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": text.replace("\\ud800", "\ud800"),
                }
            },
        }
    ).encode()
    assert b"\\ud800" in body
    server.send_raw(frame(body))
    published = await server.notification("textDocument/publishDiagnostics", timeout=60)
    found = {(d["code"], d["range"]["start"]["line"]) for d in published["params"]["diagnostics"]}
    assert ("PS203", 4) in found, published  # ruff read the line that held the surrogate
    await server.close()
    stderr = server.stderr.decode(errors="replace")
    assert "UnicodeEncodeError" not in stderr and "Traceback" not in stderr, stderr
    assert "UnicodeEncodeError" not in log_file.read_text(encoding="utf-8")


async def test_exit_is_prompt_while_a_review_is_busy(server: RawServer, tmp_path: Path) -> None:
    await server.initialize(tmp_path)
    path = tmp_path / "big.py"
    line = 'def f{n}(request):\n    return eval(request.args.get("q{n}"))\n'
    text = "".join(line.format(n=n) for n in range(12_000))
    path.write_text(text, encoding="utf-8")
    server.request(
        2,
        "workspace/executeCommand",
        {"command": "protosmith.review", "arguments": [{"uri": path.as_uri()}]},
    )
    await asyncio.sleep(1.5)  # the review is running now
    server.request(3, "shutdown")
    await server.answer(3)
    started = time.monotonic()
    server.notify("exit")
    await asyncio.wait_for(server.process.wait(), 10)
    assert time.monotonic() - started < 1.5


async def test_tcp_transport_answers_parse_errors_and_exits(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    process = await asyncio.create_subprocess_exec(
        *SERVER,
        "--tcp",
        "--port",
        str(port),
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("the TCP server did not listen")
        writer.write(frame(b'{"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": '))
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        length = int(header.split(b":")[1].split(b"\r\n")[0])
        answer = json.loads(await reader.readexactly(length))
        assert answer["id"] == 3 and answer["error"]["code"] == -32700, answer
        writer.write(frame(json.dumps({"jsonrpc": "2.0", "method": "exit"}).encode()))
        await writer.drain()
        assert await asyncio.wait_for(process.wait(), 10) == 1  # exit without shutdown
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
