"""Which journaled pipeline run a run id names, and its manifest, across workspace folders.

The editor's ``showRun`` asks by the id it was given (a server run's pipeline id, or a journal
id typed by the user), or for the latest run when it names none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from protosmith.pipeline.journal import latest_run, list_runs, runs_dir


class JournalRun(BaseModel):
    """A run found in a folder's journal; ``manifest`` is None while the run has written none."""

    run_id: str
    folder: Path
    manifest: dict[str, Any] | None = None


def find_journal_run(
    folders: Sequence[Path], run_id: str | None, *, latest: bool
) -> JournalRun | None:
    """The first folder's journaled run ``run_id`` (or, with ``latest``, its latest run)."""
    for folder in folders:
        candidate = run_id or (latest_run(folder) if latest else None)
        if candidate and candidate in list_runs(folder):
            path = runs_dir(folder) / candidate / "manifest.json"
            manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            return JournalRun(run_id=candidate, folder=folder, manifest=manifest)
    return None
