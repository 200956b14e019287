"""Cancellation that cannot be ignored, on a machine whose cores are all busy.

A generation is stopped from the terminal (SIGINT) or by the server (``generate_in_child``),
both times by a process that inherited "ignore SIGINT" as a script or a service manager gives
it: the stop must come quickly, record "cancelled", leave no process, no temporary copy, no
half-written file and no empty output folder. The child-process helper, the scratch folders
and the scheduler are checked on their own too.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from hardening_support import make_workspace, run_generate, temp_files
from load_support import busy_cores, ignore_sigint, processes_mentioning, wait_until_gone
from protosmith import scratch
from protosmith.childproc import ChildCancelled, run_child
from protosmith.llm.base import CompletionRequest
from protosmith.llm.scripted import ScriptedBackend
from protosmith.pipeline.scheduler import Task, run_graph
from scripted_team import Team

__all__ = ["busy_cores"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[1]
SLOW_TEAM = ROOT / "tests" / "workspaces" / "lsp" / "slow_team.py"
STOP_BOUND_S = 15.0
"""Stop to last process gone, under load: the child's SIGINT grace (6 s) and SIGTERM grace (3 s)
are the worst case, plus start-up noise of a starved machine."""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env.update(
        PROTOSMITH_ALLOW_SCRIPTED="1",
        PROTOSMITH_BACKEND="scripted",
        PROTOSMITH_SCRIPT=str(SLOW_TEAM),
        PROTOSMITH_TEST_DELAY="0.3",
    )
    env.update(extra)
    return env


def _manifest(workspace: Path, run_id: str) -> dict[str, Any]:
    path = workspace / ".protosmith" / "runs" / run_id / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _cli_generate(spec: Path, private_tmp: Path, **popen: Any) -> subprocess.Popen[str]:
    """``protosmith generate --json`` on ``spec`` in its own folder, with a private TMPDIR."""
    return subprocess.Popen(
        [sys.executable, "-m", "protosmith", "generate", str(spec), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(TMPDIR=str(private_tmp)),
        cwd=spec.parent,
        **popen,
    )


@pytest.mark.timeout(240)
def test_ctrl_c_stops_a_cli_run_that_inherited_ignored_sigint_under_load(
    tmp_path: Path, busy_cores: int
) -> None:
    spec = make_workspace(tmp_path)
    workspace = spec.parent
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    process = _cli_generate(spec, private_tmp, preexec_fn=ignore_sigint)
    assert process.stderr is not None
    deadline = time.monotonic() + 180
    for line in process.stderr:  # stop while a generated test suite runs in the sandbox
        if ("verify:" in line and "started" in line) or time.monotonic() > deadline:
            break
    stopped = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    left = wait_until_gone(str(workspace))
    latency = time.monotonic() - stopped
    print(f"CLI stop under load ({busy_cores} busy loops): {latency:.2f}s")
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["status"] == "cancelled"
    assert _manifest(workspace, summary["run_id"])["status"] == "cancelled"
    assert not left, left
    assert latency < STOP_BOUND_S, f"the run took {latency:.1f}s to stop"
    assert not list(private_tmp.iterdir()), "temporary copies were left in TMPDIR"
    assert not temp_files(workspace)


@pytest.mark.timeout(240)
def test_sigterm_ends_a_cli_run_at_once_with_its_test_runs_and_copies(tmp_path: Path) -> None:
    spec = make_workspace(tmp_path)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    process = _cli_generate(spec, private_tmp)
    assert process.stderr is not None
    deadline = time.monotonic() + 180
    for line in process.stderr:
        if ("verify:" in line and "started" in line) or time.monotonic() > deadline:
            break
    time.sleep(0.3)  # the sandboxed test run is under way
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert json.loads(stdout)["status"] == "cancelled"
    assert "--resume" in stderr
    assert not wait_until_gone(str(private_tmp)), "a sandboxed run outlived the CLI"
    assert not list(private_tmp.iterdir()), "temporary copies were left in TMPDIR"


@pytest.mark.timeout(240)
async def test_the_server_stops_a_generation_child_that_ignores_sigint_under_load(
    tmp_path: Path, busy_cores: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from protosmith.lsp.generation import generate_in_child
    from protosmith.pipeline.api import GenerateOptions

    spec = make_workspace(tmp_path)
    workspace = spec.parent
    for name, value in _env().items():
        monkeypatch.setenv(name, value)
    reported = asyncio.Event()
    options = GenerateOptions(spec_path=spec, workspace=workspace)
    # The server itself was started by a script: its children inherit "ignore SIGINT".
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run = asyncio.ensure_future(
            generate_in_child(options, on_progress=lambda event: reported.set())
        )
        await asyncio.wait_for(reported.wait(), 180)
    finally:
        signal.signal(signal.SIGINT, previous)
    await asyncio.sleep(0.5)
    stopped = time.monotonic()
    run.cancel()
    summary = await run
    left = await asyncio.to_thread(wait_until_gone, str(workspace))
    latency = time.monotonic() - stopped
    print(f"server stop under load ({busy_cores} busy loops): {latency:.2f}s")
    assert summary.status == "cancelled", summary.message
    assert _manifest(workspace, summary.run_id)["status"] == "cancelled"
    assert not left, left
    assert latency < STOP_BOUND_S, f"the generation took {latency:.1f}s to stop"
    assert not list(scratch.root().glob("child-*")), "the child's private TMPDIR was left"


CHILD = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # helper-MARK"])
    print("started", helper.pid, flush=True)
    print("progress: half", file=sys.stderr, flush=True)
    time.sleep(300)
    """
)


async def _start_stubborn(tmp_path: Path, **grace: float) -> tuple[asyncio.Future[Any], str]:
    marker = str(tmp_path)
    script = tmp_path / "stubborn.py"
    script.write_text(CHILD.replace("MARK", marker), encoding="utf-8")
    progress: list[str] = []
    run = asyncio.ensure_future(
        run_child(
            [sys.executable, str(script)],
            progress_prefix="progress: ",
            on_progress=progress.append,
            name="stubborn",
            **grace,
        )
    )
    deadline = time.monotonic() + 60
    while not progress and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert progress == ["half"]
    return run, marker


@pytest.mark.timeout(120)
async def test_a_child_ignoring_sigint_and_sigterm_is_killed_with_its_group_under_load(
    tmp_path: Path, busy_cores: int
) -> None:
    run, marker = await _start_stubborn(tmp_path, interrupt_grace_s=0.5, terminate_grace_s=0.5)
    stopped = time.monotonic()
    run.cancel()
    with pytest.raises(ChildCancelled) as raised:
        await run
    latency = time.monotonic() - stopped
    assert raised.value.result.returncode == -signal.SIGKILL
    assert raised.value.result.stdout.startswith(b"started")
    assert not processes_mentioning(f"helper-{marker}"), "the helper outlived its group"
    assert latency < 5, f"{latency:.1f}s"


@pytest.mark.timeout(120)
async def test_a_second_cancel_kills_at_once(tmp_path: Path) -> None:
    run, marker = await _start_stubborn(tmp_path, interrupt_grace_s=60, terminate_grace_s=60)
    run.cancel()
    await asyncio.sleep(0.5)  # the child ignores SIGINT: the stop waits in its grace period
    assert not run.done()
    stopped = time.monotonic()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert time.monotonic() - stopped < 5
    assert not processes_mentioning(f"helper-{marker}")


def test_the_scratch_root_of_a_killed_process_is_swept(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from protosmith import scratch\n"
            "copy = scratch.new_folder('run-')\n"
            "(copy / 'file.py').write_text('x = 1')\n"
            "print(scratch.root(), flush=True)\n"
            "time.sleep(300)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert owner.stdout is not None
    root = Path(owner.stdout.readline().strip())
    old = time.time() - 2 * scratch.SWEEP_MIN_AGE_S
    os.utime(root, (old, old))
    assert scratch.sweep_stale(tmp_path) == [], "a live process's root was swept"
    owner.kill()
    owner.wait()
    assert scratch.sweep_stale(tmp_path) == [root]
    assert not root.exists()


async def test_a_cancelled_graph_returns_only_when_its_tasks_have_ended() -> None:
    handles: list[asyncio.Task[Any]] = []

    async def absorbs_one_cancel() -> None:
        current = asyncio.current_task()
        assert current is not None
        handles.append(current)
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:  # clean-up that awaits, as a sandbox kill does, and
            await asyncio.sleep(0.2)  # then goes on as if the cancel had been lost
        await asyncio.sleep(30)

    graph = asyncio.ensure_future(run_graph([Task("slow", absorbs_one_cancel)], concurrency=1))
    await asyncio.sleep(0.1)
    graph.cancel()
    with pytest.raises(asyncio.CancelledError):
        await graph
    assert handles and handles[0].done(), "run_graph returned while its task was still running"


async def test_a_generation_cancelled_while_designing_leaves_no_output_folder(
    tmp_path: Path,
) -> None:
    spec = make_workspace(tmp_path)
    team = Team()
    designing = asyncio.Event()

    async def reply(request: CompletionRequest) -> str:
        if request.agent == "architecture":
            designing.set()
            await asyncio.sleep(60)
        return team.reply(request)

    run = asyncio.ensure_future(run_generate(spec, ScriptedBackend(function=reply)))
    await asyncio.wait_for(designing.wait(), 30)
    run.cancel()
    summary = await run
    assert summary.status == "cancelled"
    assert not (spec.parent / "prototype").exists()


class _SlowImportCounter:
    """A tokenizer whose first use takes seconds, as loading llama_cpp and numpy does."""

    exact = False

    def __init__(self) -> None:
        self.loaded = False

    def count(self, text: str) -> int:
        if not self.loaded:
            time.sleep(8)
            self.loaded = True
        return len(text) // 4 + 1


async def test_a_slow_first_tokenizer_load_does_not_hold_up_a_cancel(tmp_path: Path) -> None:
    spec = make_workspace(tmp_path)
    backend = ScriptedBackend(function=Team().reply)
    backend.capabilities.token_counter = _SlowImportCounter()
    started = time.monotonic()
    run = asyncio.ensure_future(run_generate(spec, backend))
    await asyncio.sleep(1.0)  # on a blocked event loop this sleep itself would last 8 s
    run.cancel()
    summary = await run
    assert summary.status == "cancelled"
    assert time.monotonic() - started < 4.0, "the cancel waited for the tokenizer"


async def test_a_test_run_cancelled_while_copying_leaves_no_copy(tmp_path: Path) -> None:
    from protosmith.execution.service import run_tests

    project = tmp_path / "project"
    for package in range(40):
        folder = project / f"pkg{package}"
        folder.mkdir(parents=True)
        for module in range(50):
            (folder / f"m{module}.py").write_text(f"VALUE = {module}\n" * 50, encoding="utf-8")
    (project / "test_value.py").write_text("def test_value():\n    assert True\n")
    before = set(scratch.root().glob("run-*"))
    run = asyncio.ensure_future(run_tests(project, "python"))
    deadline = time.monotonic() + 60
    while not set(scratch.root().glob("run-*")) - before and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    assert set(scratch.root().glob("run-*")) - before, "the copy never started"
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    await asyncio.sleep(0.5)  # a copy thread still running would recreate folders meanwhile
    assert set(scratch.root().glob("run-*")) == before, "the cancelled run's copy was left"


STUCK_RUN = textwrap.dedent(
    """
    import asyncio, sys
    from protosmith.interrupts import Interruptible

    async def main():
        print("running", flush=True)
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(60)  # a clean stop that does not come

    with Interruptible(lambda code: print("hard stop", code, flush=True), hard_stop_s=5.0) as g:
        g.run(main())
    print("returned", flush=True)
    """
)


@pytest.mark.parametrize("second_sigint", [False, True])
def test_a_clean_stop_that_does_not_come_becomes_a_hard_one(
    tmp_path: Path, second_sigint: bool
) -> None:
    script = tmp_path / "stuck.py"
    script.write_text(STUCK_RUN, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=ignore_sigint,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "running"
    stopped = time.monotonic()
    process.send_signal(signal.SIGINT)
    if second_sigint:
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stdout.strip() == "hard stop 130"
    elapsed = time.monotonic() - stopped
    if second_sigint:
        assert elapsed < 4.0, f"a second Ctrl-C took {elapsed:.1f}s"
    else:
        assert 4.5 < elapsed < 15.0, f"the watchdog stopped it after {elapsed:.1f}s"
