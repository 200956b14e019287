"""A run's findings, written beside its journal, so the editor can publish them when it ends.

The review of each component and the contract smoke test (PS505) find problems in the
generated files. The summary keeps only their counts; the findings themselves go to
``.protosmith/runs/<id>/findings/<part>.json`` (one file per component review and one for the
integration), with paths relative to the workspace. The language server reads them when the run
ends and publishes them as diagnostics, so a user sees what the run's review saw without
reviewing again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from protosmith.analysis.review import ReviewResult
from protosmith.pipeline.journal import Journal, runs_dir

log = logging.getLogger(__name__)

FOLDER = "findings"


def record(journal: Journal, part: str, result: ReviewResult) -> None:
    """Keep ``result`` (workspace-relative paths) as the findings of ``part`` of the run."""
    folder = journal.run_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{part.replace('/', '_').replace(':', '_')}.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(result.model_dump_json(indent=1), encoding="utf-8")
    temporary.replace(target)


def load(workspace: Path, run_id: str) -> ReviewResult:
    """Every recorded part of run ``run_id``, merged; empty when the run recorded none."""
    merged = ReviewResult()
    folder = runs_dir(workspace) / run_id / FOLDER
    if not run_id or not folder.is_dir():
        return merged
    for path in sorted(folder.glob("*.json")):
        try:
            part = ReviewResult.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValidationError) as error:
            log.warning("findings of run %s not read from %s: %s", run_id, path, error)
            continue
        merged.findings += part.findings
        merged.files += [name for name in part.files if name not in merged.files]
    return merged
