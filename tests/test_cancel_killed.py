"""A generation child killed outright cannot record its own end: whoever killed it does.

The server's last resort is SIGKILL (after the SIGINT and SIGTERM graces); a killed child
writes no summary and no manifest. The run must still say "cancelled" with the resume
command, and leave no temp file of an interrupted write and no empty output folder.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from hardening_support import make_workspace, temp_files
from protosmith.lsp.generation import generate_in_child
from protosmith.pipeline.api import GenerateOptions, ProgressEvent
from protosmith.pipeline.journal import list_runs, runs_dir
from protosmith.pipeline.stopped import record_cancelled

ROOT = Path(__file__).resolve().parents[1]
SLOW_TEAM = ROOT / "tests" / "workspaces" / "lsp" / "slow_team.py"


def _scripted(monkeypatch: pytest.MonkeyPatch, delay_s: str) -> None:
    for name in [name for name in os.environ if name.startswith("PROTOSMITH_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PROTOSMITH_ALLOW_SCRIPTED", "1")
    monkeypatch.setenv("PROTOSMITH_BACKEND", "scripted")
    monkeypatch.setenv("PROTOSMITH_SCRIPT", str(SLOW_TEAM))
    monkeypatch.setenv("PROTOSMITH_TEST_DELAY", delay_s)


@pytest.mark.timeout(240)
async def test_a_generation_child_killed_at_once_is_recorded_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_workspace(tmp_path)
    workspace = spec.parent
    _scripted(monkeypatch, "20")  # the architecture call is still in flight when it is killed
    designing = asyncio.Event()

    def on_progress(event: ProgressEvent) -> None:
        if event.run_id:
            designing.set()

    options = GenerateOptions(spec_path=spec, workspace=workspace)
    run = asyncio.ensure_future(
        generate_in_child(
            options, on_progress=on_progress, interrupt_grace_s=0, terminate_grace_s=0
        )
    )
    waiting = asyncio.ensure_future(designing.wait())
    await asyncio.wait({run, waiting}, timeout=180, return_when=asyncio.FIRST_COMPLETED)
    assert designing.is_set(), run.result() if run.done() else "no progress in 180 s"
    run.cancel()  # no grace: SIGKILL, so the child writes nothing more
    with pytest.raises(asyncio.CancelledError):
        await run
    [run_id] = list_runs(workspace)
    manifest = json.loads((runs_dir(workspace) / run_id / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "cancelled"
    assert manifest["summary"]["status"] == "cancelled"
    assert f"--resume {run_id}" in manifest["message"]
    events = (runs_dir(workspace) / run_id / "events.jsonl").read_text("utf-8").splitlines()
    assert json.loads(events[-1])["kind"] == "run_finished"
    assert not temp_files(workspace)
    assert not (workspace / "prototype").exists(), "the empty output folder was left"


def test_a_run_that_recorded_its_end_keeps_its_own_record(tmp_path: Path) -> None:
    from protosmith.pipeline.journal import Journal

    journal = Journal.create(tmp_path)
    journal.write_manifest(
        {"status": "partial", "summary": {"run_id": journal.run_id, "status": "partial"}}
    )
    summary = record_cancelled(tmp_path, journal.run_id)
    assert summary is not None and summary.status == "partial"
    assert json.loads((journal.run_dir / "manifest.json").read_text("utf-8"))["status"] == "partial"
    assert record_cancelled(tmp_path, "20990101-000000-abcd") is None


def test_a_resumed_session_killed_before_its_end_is_recorded_cancelled(tmp_path: Path) -> None:
    from protosmith.pipeline.journal import Journal

    journal = Journal.create(tmp_path)
    journal.event("run_started", output="prototype")
    journal.event("run_finished", status="partial")
    journal.write_manifest({"status": "partial", "files": ["prototype/a.py"], "summary": {}})
    journal.event("run_started", output="prototype")  # the resumed session, then killed
    summary = record_cancelled(tmp_path, journal.run_id)
    assert summary is not None and summary.status == "cancelled"
    manifest = json.loads((journal.run_dir / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "cancelled"
    assert manifest["files"] == ["prototype/a.py"]
