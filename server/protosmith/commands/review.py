"""``protosmith review PATH... [--format text|json|sarif] [--no-llm] [--fail-on LEVEL]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from protosmith.analysis.findings import Severity
from protosmith.analysis.positions import UNIT
from protosmith.analysis.review import ReviewResult
from protosmith.analysis.sarif import to_sarif
from protosmith.exit_codes import ExitCode
from protosmith.llm.errors import BackendError
from protosmith.report.text import print_review
from protosmith.services.review import review
from protosmith.services.workspace import folder_settings

log = logging.getLogger(__name__)


def _root(paths: list[Path]) -> Path:
    cwd = Path.cwd().resolve()
    if all(p.resolve().is_relative_to(cwd) for p in paths):
        return cwd
    first = paths[0].resolve()
    return first if first.is_dir() else first.parent


def _backend(args: argparse.Namespace, root: Path) -> Any:
    from protosmith.llm.factory import create_backend
    from protosmith.settings import SettingsOverrides

    settings, problems = folder_settings(root, SettingsOverrides.from_args(args))
    for problem in problems:
        print(f"protosmith: {problem}", file=sys.stderr)
    return create_backend(settings)


def fails(result: ReviewResult, fail_on: str) -> bool:
    """True when an active finding is at or above ``fail_on`` (never for ``none``)."""
    if fail_on == "none":
        return False
    threshold = Severity(fail_on).rank
    return any(f.active and f.severity.rank <= threshold for f in result.findings)


async def _review(
    args: argparse.Namespace, paths: list[Path], root: Path
) -> tuple[ReviewResult, list[str]]:
    notes: list[str] = []
    backend = None
    if not args.no_llm:
        try:
            backend = _backend(args, root)
        except (ImportError, BackendError) as error:
            notes.append(f"LLM review skipped: {error}")
        except (OSError, ValueError, RuntimeError) as error:
            log.debug("backend unavailable", exc_info=True)
            notes.append(f"LLM review skipped: backend unavailable ({error})")
    try:
        result = await review(paths, root=root, backend=backend)
    finally:
        if backend is not None:
            await backend.aclose()
    return result, notes


def run(args: argparse.Namespace) -> int:
    """Review the paths and print in the chosen format; exit 1 on findings at or above --fail-on.

    JSON positions are zero-based lines and code-point columns, which ``position_encoding``
    ("utf-32", LSP's name for that unit) states for any reader.
    """
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        for path in missing:
            print(f"protosmith review: no such file or folder: {path}", file=sys.stderr)
        return ExitCode.USAGE
    root = _root(paths)
    result, notes = asyncio.run(_review(args, paths, root))
    result.notes = notes + result.notes
    if args.format == "json":
        payload = {"position_encoding": UNIT, **result.model_dump(mode="json")}
        for finding in payload["findings"]:
            finding["active"] = not finding["suppressed"] and finding["dismissed_reason"] is None
        print(json.dumps(payload, indent=2))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(result.findings, root_uri=root.as_uri()), indent=2))
    else:
        print_review(sys.stdout, result.findings, result.files, result.notes, result.risk_level)
    return ExitCode.FINDINGS if fails(result, args.fail_on) else ExitCode.OK
