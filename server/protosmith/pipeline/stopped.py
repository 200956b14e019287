"""The record of a run whose process was killed before it could write one.

A generation stopped with SIGKILL (the server's last resort after the grace periods, or a
CLI's hard stop) never reaches its own summary. Whoever stopped it calls
:func:`record_cancelled`: the manifest says ``cancelled`` with the resume command, the
journal ends with ``run_finished``, temp files of interrupted atomic writes are removed, and
an output folder the run created but never wrote to is removed too.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from protosmith.pipeline.api import RunSummary
from protosmith.pipeline.journal import Journal
from protosmith.pipeline.writer import sweep_temporaries

log = logging.getLogger(__name__)


def record_cancelled(workspace: Path, run_id: str) -> RunSummary | None:
    """Record ``run_id`` as cancelled unless its latest session recorded its own end; return
    the summary the run has now.

    None when there is no such run.
    """
    if Journal.existing(workspace, run_id) is None:
        return None
    journal = Journal.open(workspace, run_id, api_key_env=None)  # drops a torn last event
    manifest = journal.manifest()
    if manifest is not None and _ended(journal):
        with contextlib.suppress(ValueError):
            return RunSummary.model_validate(manifest.get("summary") or {})
    started = journal.first_event("run_started") or {}
    output = str(started.get("output") or "")
    message = (
        "cancelled (the generation was stopped before it could record its end); finished "
        f"tasks are kept: run `protosmith generate --resume {run_id}` to continue"
    )
    summary = RunSummary(run_id=run_id, status="cancelled", output=output, message=message)
    try:
        sweep_temporaries(journal.run_dir)
        if output:
            _clean_output(Path(workspace) / output)
        journal.event("run_finished", status="cancelled", message=message)
        # An earlier session's manifest keeps what it recorded (its files, its design).
        journal.write_manifest(
            {
                "files": [],
                **(manifest or {}),
                "status": "cancelled",
                "message": message,
                "summary": summary.model_dump(mode="json"),
            }
        )
    except OSError as error:  # the workspace went away or turned read-only: nothing to record in
        log.warning("cannot record run %s as cancelled: %s", run_id, error)
    return summary


def _ended(journal: Journal) -> bool:
    """Whether the latest session recorded its end (a resumed run has earlier sessions' ends)."""
    started = finished = -1
    for index, event in enumerate(journal.events()):
        if event.get("kind") == "run_started":
            started = index
        elif event.get("kind") == "run_finished":
            finished = index
    return finished >= started


def _clean_output(folder: Path) -> None:
    """Remove interrupted writes' temp files, and the folder itself if nothing else is in it."""
    if not folder.is_dir():
        return
    sweep_temporaries(folder)
    with contextlib.suppress(OSError):
        if not any(folder.iterdir()):
            folder.rmdir()
