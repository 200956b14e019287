"""Failing backends during a whole ``generate`` run, then a resume that repeats nothing.

A real loopback OpenAI-compatible server (``fake_openai_server``) answers as the scripted
team until a fault starts: refused connections, stalls, dropped connections, 429 with
Retry-After, 500, 401, invalid JSON, empty bodies. Each is retried within a bounded time or
reported with a message naming the endpoint; the run ends cleanly; once the endpoint heals,
``--resume`` finishes with the files of an uninterrupted run and the server sees no request
for a task that had already finished. The local backend's worker is killed mid-request.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from fake_openai_server import (
    Action,
    Drop,
    Empty,
    FakeOpenAIServer,
    Malformed,
    RecordedRequest,
    Reply,
    Stall,
    Status,
)
from hardening_support import (
    HELLO,
    Tally,
    journal_events,
    make_workspace,
    output_files,
    run_generate,
    small_spec_text,
    task_of,
    team_reply_for_wire,
    temp_files,
)
from protosmith.pipeline.api import RunSummary
from scripted_team import Team

SPEC_TEXT = small_spec_text()
TIMEOUT_S = 0.5
MAX_RETRIES = 1
RUN_LIMIT_S = 90
TALLY = Tally()

FAULTS: dict[str, tuple[Action, str]] = {
    "500": (Status(500, "overloaded"), "server error at"),
    "503": (Status(503, "maintenance"), "server error at"),
    "429": (Status(429, "slow down", headers={"Retry-After": "0"}), "rate limited by"),
    "401": (Status(401, "bad key"), "authentication failed at"),
    "malformed": (Malformed(), "invalid response body from"),
    "empty": (Empty(), "invalid response body from"),
    "drop": (Drop(), "cannot connect to"),
    "stall": (Stall(5.0), "timed out after"),
}


class Endpoint:
    """The fake server's brain: the scripted team, then ``fault`` from request ``after`` on."""

    def __init__(self) -> None:
        self.team = Team()
        self.fault: Action | None = None
        self.after = 0
        self.seen = 0
        self.faults = 0
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Action:
        with self._lock:
            index = self.seen
            self.seen += 1
            broken = self.fault is not None and index >= self.after
            if broken:
                self.faults += 1
        if broken:
            assert self.fault is not None
            return self.fault
        return Reply(text=team_reply_for_wire(self.team, request.body))


def _settings(base_url: str, retries: int = MAX_RETRIES) -> dict[str, Any]:
    return {
        "backend": "openai",
        "base_url": base_url,
        "model": "fake-model",
        "max_retries": retries,
        "timeout_s": TIMEOUT_S,
    }


async def _generate(
    spec: Path, base_url: str, resume: str | None = None, retries: int = MAX_RETRIES
) -> RunSummary:
    settings = _settings(base_url, retries)
    return await asyncio.wait_for(
        run_generate(spec, None, resume=resume, settings=settings), RUN_LIMIT_S
    )


_REFERENCE: dict[str, Any] = {}


async def _reference(tmp: Path) -> tuple[dict[str, bytes], int]:
    """Files and request count of an uninterrupted run against the fake server."""
    if not _REFERENCE:
        spec = make_workspace(tmp / "reference", text=SPEC_TEXT)
        with FakeOpenAIServer(function=Endpoint()) as server:
            summary = await _generate(spec, server.base_url)
            assert summary.status == "succeeded", summary.message
            _REFERENCE.update(
                files=output_files(spec.parent), calls=len(server.completion_requests)
            )
    return _REFERENCE["files"], _REFERENCE["calls"]


def _explanation(summary: RunSummary) -> str:
    return " ".join([summary.message, *(c.detail for c in summary.components)])


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _resume_and_check(
    spec: Path, run_id: str, reference: dict[str, bytes], server: FakeOpenAIServer
) -> None:
    """Resume against a healthy endpoint: same files, no request for a finished task."""
    finished = {
        e["task"]
        for e in journal_events(spec.parent, run_id)
        if e["kind"] == "task_finished" and e["status"] == "done"
    }
    if any(
        e["kind"] == "task_reused" or e["kind"] == "graph"
        for e in journal_events(spec.parent, run_id)
    ):
        finished.add("architecture")
    start = len(server.requests)
    resumed = await _generate(spec, server.base_url, resume=run_id)
    assert resumed.status == "succeeded", resumed.message
    assert output_files(spec.parent) == reference
    assert not temp_files(spec.parent)
    asked = {
        task_of(r.body) for r in server.completion_requests[start:] if isinstance(r.body, dict)
    }
    assert not asked & finished, f"finished tasks asked again: {asked & finished}"
    TALLY.add("resumed")


CASES = [(name, 3) for name in sorted(FAULTS)] + [("500", 0), ("malformed", 1)]
"""Each fault after three good requests (architecture and two tasks done), plus two early ones."""


@pytest.mark.parametrize(("name", "after"), CASES)
async def test_fault_during_a_run_is_reported_then_resume_repeats_nothing(
    name: str, after: int, tmp_path: Path
) -> None:
    reference, calls = await _reference(tmp_path)
    action, phrase = FAULTS[name]
    spec = make_workspace(tmp_path, text=SPEC_TEXT)
    endpoint = Endpoint()
    endpoint.fault, endpoint.after = action, after
    with FakeOpenAIServer(function=endpoint) as server:
        summary = await _generate(spec, server.base_url)
        TALLY.add("faults_injected", endpoint.faults)
        assert summary.status in ("failed", "partial"), summary
        explanation = _explanation(summary)
        assert phrase in explanation and server.base_url in explanation, explanation
        assert "internal error" not in summary.message
        # Bounded: a backend error is not retried by the agents, only by the backend.
        assert len(server.completion_requests) <= after + calls * (MAX_RETRIES + 1)
        if name == "401":  # not retryable: one request per call
            assert endpoint.faults <= calls
        assert not temp_files(spec.parent)
        endpoint.fault = None
        await _resume_and_check(spec, summary.run_id, reference, server)


async def test_refused_connection_then_resume(tmp_path: Path) -> None:
    reference, _ = await _reference(tmp_path)
    spec = make_workspace(tmp_path, text=SPEC_TEXT)
    dead = f"http://127.0.0.1:{_closed_port()}/v1"
    summary = await _generate(spec, dead)
    TALLY.add("faults_injected")
    assert summary.status == "failed"
    assert "cannot connect to" in summary.message and dead in summary.message
    with FakeOpenAIServer(function=Endpoint()) as server:
        await _resume_and_check(spec, summary.run_id, reference, server)


async def test_429_with_retry_after_is_honoured_and_the_run_succeeds(tmp_path: Path) -> None:
    reference, calls = await _reference(tmp_path)
    spec = make_workspace(tmp_path, text=SPEC_TEXT)
    with FakeOpenAIServer(function=Endpoint()) as server:
        server.enqueue(Status(429, headers={"Retry-After": "1"}), Status(500))
        summary = await _generate(spec, server.base_url, retries=2)
        TALLY.add("faults_injected", 2)
        assert summary.status == "succeeded", summary.message
        first, second = server.completion_requests[:2]
        assert second.at - first.at >= 0.9  # waited as asked
        assert len(server.completion_requests) == calls + 2
    assert output_files(spec.parent) == reference


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama_cpp not installed")
async def test_local_worker_killed_mid_run_is_reported_and_restarted(tmp_path: Path) -> None:
    from protosmith.llm.embedded import assembled_path
    from protosmith.llm.factory import create_backend
    from protosmith.llm.local import LocalBackend
    from protosmith.settings import Settings

    if assembled_path() is None:
        pytest.skip("the embedded model package is not installed")
    backend = create_backend(Settings(backend="local", n_ctx=4096))
    assert isinstance(backend, LocalBackend)
    spec = make_workspace(tmp_path, HELLO)
    try:
        job = asyncio.create_task(run_generate(spec, backend, settings={"max_tokens": 256}))
        while not backend.busy and not job.done():
            await asyncio.sleep(0.02)  # no event to await: the worker's state is polled
        pid = backend.worker_pid
        assert pid is not None and not job.done()
        os.kill(pid, signal.SIGKILL)
        TALLY.add("faults_injected")
        summary = await job
        assert summary.status in ("failed", "partial")
        assert f"worker (pid {pid}) killed by SIGKILL" in _explanation(summary)
        from protosmith.llm.base import CompletionRequest, Message

        reply = await backend.complete(
            CompletionRequest(messages=[Message(role="user", content="Say hi.")], max_tokens=8)
        )
        assert backend.worker_pid != pid and backend.restarts == 1
        assert reply.usage.completion_tokens > 0
    finally:
        await backend.aclose()


def test_zz_report_counts() -> None:
    print(TALLY.line("backends"))
