"""A raw JSON-RPC fuzzer for the language server over stdio.

Sends random JSON, valid JSON-RPC with wrong params, unknown methods, huge payloads, invalid
UTF-8, requests for unopened documents and out-of-range positions, and checks that every request
gets a result or a proper JSON-RPC error, and that a normal request still works afterwards.
Used by tests (reduced count) and by ``make stress`` (full count).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METHODS = [
    "textDocument/hover",
    "textDocument/codeAction",
    "textDocument/documentSymbol",
    "codeAction/resolve",
    "workspace/executeCommand",
    "textDocument/completion",
    "textDocument/definition",
    "unknown/method",
    "$/unknownNotification",
]
NOTIFICATIONS = [
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didSave",
    "textDocument/didClose",
    "workspace/didChangeConfiguration",
]


@dataclass
class FuzzStats:
    """What was sent and what came back."""

    sent: int = 0
    requests: int = 0
    answered: int = 0
    errors: int = 0
    unanswered: list[int] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)


def _frame(body: bytes) -> bytes:
    return b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(8 if depth < 3 else 5)
    if choice == 0:
        return None
    if choice == 1:
        return rng.randint(-(2**40), 2**40)
    if choice == 2:
        return rng.random() * 1e6
    if choice == 3:
        return "".join(chr(rng.randrange(0x20, 0x2FF)) for _ in range(rng.randrange(20)))
    if choice == 4:
        return rng.random() < 0.5
    if choice == 5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {f"k{i}": _random_value(rng, depth + 1) for i in range(rng.randrange(4))}


def _document_params(rng: random.Random, uri: str) -> dict[str, Any]:
    line = rng.choice([0, 1, 5, 10**6, -1])
    character = rng.choice([0, 3, 10**6, -5])
    position = {"line": line, "character": character}
    return {
        "textDocument": {"uri": rng.choice([uri, "file:///nonexistent/x.py", "not a uri", ""])},
        "position": position,
        "range": {"start": position, "end": position},
        "context": {"diagnostics": [], "only": rng.choice([None, ["quickfix"]])},
    }


class Fuzzer:
    """Builds one fuzz message at a time; requests get ids so answers can be checked."""

    def __init__(self, seed: int, workspace: Path) -> None:
        self.rng = random.Random(seed)
        self.uri = (workspace / "protosmith.toml").as_uri()
        self.next_id = 1000

    def message(self) -> tuple[str, bytes, int | None]:
        rng = self.rng
        kind = rng.choice(
            ["random_json", "wrong_params", "unknown", "huge", "bad_utf8", "document", "notify"]
        )
        request_id: int | None = None
        if kind == "random_json":
            body = json.dumps(_random_value(rng)).encode()
        elif kind == "bad_utf8":
            body = b'{"jsonrpc":"2.0","method":"textDocument/hover","params":{"x":"\xff\xfe"}}'
        elif kind == "notify":
            params = _random_value(rng) if rng.random() < 0.5 else _document_params(rng, self.uri)
            body = json.dumps(
                {"jsonrpc": "2.0", "method": rng.choice(NOTIFICATIONS), "params": params}
            ).encode()
        else:
            request_id = self.next_id
            self.next_id += 1
            method = rng.choice(METHODS) if kind != "unknown" else f"fuzz/{rng.randrange(1000)}"
            if kind == "huge":
                params: Any = {"textDocument": {"uri": self.uri}, "blob": "x" * 2_000_000}
            elif kind == "document":
                params = _document_params(rng, self.uri)
            else:
                params = _random_value(rng)
            if method == "workspace/executeCommand" and kind != "document":
                params = {
                    "command": rng.choice(["protosmith.showRun", "nope"]),
                    "arguments": [params],
                }
            body = json.dumps(
                {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
            ).encode()
        return kind, body, request_id


async def _read_messages(reader: asyncio.StreamReader, inbox: dict[int, dict[str, Any]]) -> None:
    while True:
        header = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in header.decode("ascii").split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        body = json.loads(await reader.readexactly(length))
        if isinstance(body, dict) and "id" in body and "method" not in body:
            inbox[body["id"]] = body


async def run_fuzz(
    count: int, workspace: Path, *, seed: int = 1, timeout_s: float = 300
) -> FuzzStats:
    """Send ``count`` fuzz messages to a fresh server; raise AssertionError on a bad answer."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "protosmith",
        "serve",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=workspace,
        env=env,
        limit=2**26,
    )
    assert process.stdin is not None and process.stdout is not None
    inbox: dict[int, dict[str, Any]] = {}
    reader = asyncio.create_task(_read_messages(process.stdout, inbox))
    stats = FuzzStats()
    fuzzer = Fuzzer(seed, workspace)

    def send(payload: dict[str, Any] | bytes) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        assert process.stdin is not None
        process.stdin.write(_frame(body))

    async def wait_for(request_id: int, limit: float) -> dict[str, Any] | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while request_id not in inbox and loop.time() < deadline:
            if reader.done():
                reader.result()
            await asyncio.sleep(0.01)
        return inbox.get(request_id)

    try:
        send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}},
            }
        )
        assert await wait_for(1, 30), "server did not answer initialize"
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        pending: list[int] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        for _ in range(count):
            kind, body, request_id = fuzzer.message()
            stats.kinds[kind] = stats.kinds.get(kind, 0) + 1
            send(body)
            stats.sent += 1
            if request_id is not None:
                pending.append(request_id)
                stats.requests += 1
            if stats.sent % 200 == 0:
                await process.stdin.drain()
            assert loop.time() < deadline, "fuzz run exceeded its time bound"
        await process.stdin.drain()
        for request_id in pending:
            answer = await wait_for(request_id, max(1.0, deadline - loop.time()))
            if answer is None:
                stats.unanswered.append(request_id)
                continue
            stats.answered += 1
            if "error" in answer:
                error = answer["error"]
                assert isinstance(error.get("code"), int) and isinstance(
                    error.get("message"), str
                ), answer
                stats.errors += 1
            else:
                assert "result" in answer, answer
        # A normal request is still served.
        send(
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "textDocument/documentSymbol",
                "params": {"textDocument": {"uri": fuzzer.uri}},
            }
        )
        normal = await wait_for(2, 30)
        assert normal is not None, "server stopped answering after the fuzz run"
        send({"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": None})
        assert await wait_for(3, 30) is not None, "server did not answer shutdown"
        send({"jsonrpc": "2.0", "method": "exit", "params": None})
        await asyncio.wait_for(process.wait(), 30)
    finally:
        reader.cancel()
        if process.returncode is None:
            process.kill()
            await process.wait()
    return stats
