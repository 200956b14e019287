"""Cancellation and crash safety: cancel a generation at many points, SIGKILL the CLI.

After any interruption the output holds only whole files, each equal to what an
uninterrupted run writes; the journal stays readable; and a resumed run ends with exactly
the files of an uninterrupted run, without asking the model again for finished tasks.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hardening_support import (
    DIAMOND,
    Tally,
    count,
    journal_events,
    make_workspace,
    output_files,
    run_generate,
    temp_files,
)
from protosmith.llm.base import CompletionRequest
from protosmith.llm.scripted import ScriptedBackend
from protosmith.pipeline.journal import list_runs
from scripted_team import Team

TESTS = Path(__file__).resolve().parent
LAYOUT = 'team_layout = "core; orders>core"'
SPEC_TEXT = DIAMOND.read_text(encoding="utf-8").replace(
    'team_layout = "core; catalog>core; pricing>core; orders>catalog,pricing; api>orders; audit"',
    LAYOUT,
)
DELAY_S = 0.01
TALLY = Tally()
_REFERENCE: dict[str, object] = {}


async def _reference(tmp: Path) -> tuple[dict[str, bytes], int, float]:
    """Files, LLM calls and duration of an uninterrupted run (once per session)."""
    if not _REFERENCE:
        spec = make_workspace(tmp / "reference", text=SPEC_TEXT)
        backend = ScriptedBackend(function=Team().reply, delay_s=DELAY_S)
        started = time.perf_counter()
        summary = await run_generate(spec, backend, concurrency=2)
        assert summary.status == "succeeded", summary.message
        _REFERENCE.update(
            files=output_files(spec.parent),
            calls=len(backend.requests),
            seconds=time.perf_counter() - started,
        )
    return _REFERENCE["files"], _REFERENCE["calls"], _REFERENCE["seconds"]  # type: ignore[return-value]


def _check_interrupted(workspace: Path, reference: dict[str, bytes]) -> None:
    """Only whole files: every file present is byte-equal to the uninterrupted run's."""
    assert not temp_files(workspace), temp_files(workspace)
    for name, data in output_files(workspace).items():
        assert name in reference, f"unexpected file {name}"
        assert data == reference[name], f"{name} differs from the uninterrupted run"


async def _resume_and_compare(
    spec: Path, run_id: str, reference: dict[str, bytes]
) -> ScriptedBackend:
    """Resume ``run_id``; the output must equal the reference, finished tasks not asked again."""
    events = journal_events(spec.parent, run_id)
    finished = {e["task"] for e in events if e["kind"] == "task_finished" and e["status"] == "done"}
    backend = ScriptedBackend(function=Team().reply)
    resumed = await run_generate(spec, backend, resume=run_id, concurrency=2)
    assert resumed.status == "succeeded", resumed.message
    assert output_files(spec.parent) == reference
    assert not temp_files(spec.parent)
    reused = {e["task"] for e in journal_events(spec.parent, run_id) if e["kind"] == "task_reused"}
    assert finished <= reused, finished - reused
    if any(e["kind"] == "task_finished" for e in events):
        assert not [r for r in backend.requests if r.agent == "architecture"]
    return backend


class _CallGate:
    """The scripted team, with an event set when the N-th LLM call starts."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.calls = 0
        self.reached = asyncio.Event()
        self.team = Team()

    async def reply(self, request: CompletionRequest) -> str:
        self.calls += 1
        if self.calls >= self.after:
            self.reached.set()
        await asyncio.sleep(DELAY_S)
        return self.team.reply(request)


def _points(calls: int, seconds: float) -> list[tuple[str, float]]:
    """Cancellation points: after each N-th call, and at random delays within a run."""
    rng = random.Random(20261125)
    by_calls = [("calls", float(n)) for n in range(1, calls + 1)]
    by_time = [("delay", rng.uniform(0.0, seconds)) for _ in range(count(20 - calls, 60))]
    return by_calls + by_time


async def test_cancel_at_many_points_then_resume(tmp_path: Path) -> None:
    reference, calls, seconds = await _reference(tmp_path)
    points = _points(calls, seconds)
    assert len(points) >= 20
    for index, (how, value) in enumerate(points):
        spec = make_workspace(tmp_path / f"p{index}", text=SPEC_TEXT)
        gate = _CallGate(int(value) if how == "calls" else 10**9)
        job = asyncio.create_task(
            run_generate(spec, ScriptedBackend(function=gate.reply), concurrency=2)
        )
        if how == "calls":
            waiter = asyncio.create_task(gate.reached.wait())
            await asyncio.wait({job, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
        else:
            await asyncio.wait({job}, timeout=value)
        job.cancel()
        summary = await job
        TALLY.add("cancel_points")
        assert summary.status in ("cancelled", "succeeded"), summary.message
        _check_interrupted(spec.parent, reference)
        if summary.status == "succeeded":
            TALLY.add("finished_before_cancel")
            continue
        assert f"--resume {summary.run_id}" in summary.message
        events = journal_events(spec.parent, summary.run_id)
        assert events[-1]["kind"] == "run_finished"
        await _resume_and_compare(spec, summary.run_id, reference)
        TALLY.add("resumed")
    print(TALLY.line("cancellation"))


def _script(tmp_path: Path) -> Path:
    script = tmp_path / "slow_team.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
        "from scripted_team import reply  # noqa: F401\n"
        "OPTIONS = {'delay_s': 0.03}\n",
        encoding="utf-8",
    )
    return script


def _env(script: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env.update(
        PROTOSMITH_ALLOW_SCRIPTED="1",
        PROTOSMITH_BACKEND="scripted",
        PROTOSMITH_SCRIPT=str(script),
        PROTOSMITH_CONCURRENCY="2",
    )
    return env


def _cli(spec: Path, script: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "protosmith", "generate", str(spec), "--json", *args],
        capture_output=True,
        text=True,
        env=_env(script),
        cwd=spec.parent,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1, 3), done.stderr[-2000:]
    summary: dict[str, object] = json.loads(done.stdout)
    return summary


def _check_cli_resume(spec: Path, script: Path, run_id: str, reference: dict[str, bytes]) -> None:
    """Resume with the CLI (same settings as the killed run); compare files and the journal."""
    before = journal_events(spec.parent, run_id)
    finished = {e["task"] for e in before if e["kind"] == "task_finished" and e["status"] == "done"}
    summary = _cli(spec, script, "--resume", run_id)
    assert summary["status"] == "succeeded", summary["message"]
    assert output_files(spec.parent) == reference
    assert not temp_files(spec.parent)
    after = journal_events(spec.parent, run_id)[len(before) :]
    reused = {e["task"] for e in after if e["kind"] == "task_reused"}
    assert finished <= reused, finished - reused
    asked = [e for e in after if e["kind"] == "llm_request" and e["agent"] == "architecture"]
    if any(e["kind"] == "task_finished" for e in before):
        assert not asked


async def test_sigkill_at_random_points_then_resume(tmp_path: Path) -> None:
    script = _script(tmp_path)
    reference_spec = make_workspace(tmp_path / "cli-reference", text=SPEC_TEXT)
    assert _cli(reference_spec, script)["status"] == "succeeded"
    reference = output_files(reference_spec.parent)
    rng = random.Random(7)
    kills = count(5, 30)
    leftovers = 0
    for index in range(kills):
        spec = make_workspace(tmp_path / f"k{index}", text=SPEC_TEXT)
        process = subprocess.Popen(
            [sys.executable, "-m", "protosmith", "generate", str(spec), "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(script),
            cwd=spec.parent,
        )
        assert process.stderr is not None
        wanted = rng.randint(1, 16)  # progress lines seen before the kill
        seen = 0
        for line in process.stderr:
            if line.startswith("["):
                seen += 1
            if seen >= wanted:
                break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
        TALLY.add("sigkills")
        assert process.returncode in (-signal.SIGKILL, 0, 1)
        # A kill can land inside an atomic write: its temp file may stay, never a torn file.
        stale = temp_files(spec.parent)
        leftovers += len(stale)
        for path in stale:
            assert path.name.startswith(".") and path.name.endswith(".tmp"), path
        for name, data in output_files(spec.parent).items():
            if not name.endswith(".tmp"):
                assert data == reference[name], f"{name} is not a whole file"
        runs = list_runs(spec.parent)
        if not runs:
            TALLY.add("killed_before_journal")
            continue
        for path in stale:
            path.unlink()
        _check_cli_resume(spec, script, runs[-1], reference)
        TALLY.add("resumed_after_kill")
    TALLY.add("temp_files_left_by_kill", leftovers)
    print(TALLY.line("sigkill"))


@pytest.mark.stress
@pytest.mark.skipif(
    not os.environ.get("PROTOSMITH_STRESS"), reason="full count runs in make stress"
)
async def test_cancel_stress_with_concurrency_four(tmp_path: Path) -> None:
    reference, calls, _ = await _reference(tmp_path)
    for after in range(1, calls + 1):
        spec = make_workspace(tmp_path / f"s{after}", text=SPEC_TEXT)
        gate = _CallGate(after)
        job = asyncio.create_task(
            run_generate(spec, ScriptedBackend(function=gate.reply), concurrency=4)
        )
        await gate.reached.wait()
        job.cancel()
        summary = await job
        _check_interrupted(spec.parent, reference)
        if summary.status == "cancelled":
            await _resume_and_compare(spec, summary.run_id, reference)
