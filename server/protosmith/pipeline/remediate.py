"""Automatic remediation of critical review findings during a generation run.

A critical finding with a mechanical fix gets its edits applied; one with only an instruction
goes through the refinement engine, which validates the edit (parses, finding gone, tests no
worse) before it is written. Findings on the same line of the same file (one syntax error
reported by the parser and by ruff) are fixed once. Both are capped per component, obey the
run's completion limit, report each attempt (``remediation_started`` events drive progress)
and are journaled with every attempt's outcome; nothing is written inside the output folder
but the fixes themselves.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Protocol

from protosmith.analysis.findings import Finding, Severity, TextEdit
from protosmith.llm.errors import BackendError
from protosmith.pipeline.writer import SafeWriter, UnsafePathError

log = logging.getLogger(__name__)

MAX_PER_COMPONENT = 3
"""Bound on remediations per component, so one noisy module cannot eat the budget."""
ATTEMPTS = 2
"""Model attempts per finding (each rejected attempt goes back with the reason)."""


class EventSink(Protocol):
    """Where remediation reports its attempts (the run journal)."""

    def event(self, kind: str, **data: object) -> None: ...


def apply_text_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping LSP-style edits (zero-based lines and characters) to ``text``."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(line: int, character: int) -> int:
        if line >= len(lines):
            return len(text)
        return offsets[line] + min(character, len(lines[line]))

    result = text
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        start = offset(edit.range.start.line, edit.range.start.character)
        end = offset(edit.range.end.line, edit.range.end.character)
        result = result[:start] + edit.new_text + result[end:]
    return result


def _write(writer: SafeWriter, path: Path, text: str) -> None:
    writer.write_text(path.resolve().relative_to(writer.root).as_posix(), text)


def deduplicate(findings: list[Finding]) -> list[list[Finding]]:
    """Active critical findings grouped by (file, line): one fix attempt per group.

    Two tools reporting the same broken line (the parser's syntax error and ruff's) are one
    problem; fixing it twice wastes calls and the second attempt sees an already-changed file.
    A group with a mechanical fix leads with it.
    """
    groups: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        if finding.active and finding.severity is Severity.CRITICAL:
            key = (str(Path(finding.path)), finding.range.start.line)
            groups.setdefault(key, []).append(finding)
    return [
        sorted(group, key=lambda f: not (f.fix is not None and f.fix.edits))
        for group in groups.values()
    ]


def _report(
    entry: dict[str, str],
    journal: EventSink | None,
    component: str,
    codes: str,
    where: str,
    attempt: int,
    of: int,
) -> None:
    """Before each model attempt: count it in the outcome and journal it (drives progress)."""
    entry["attempts"] = str(attempt)
    if journal is not None:
        journal.event(
            "remediation_started",
            component=component,
            code=codes,
            where=where,
            attempt=attempt,
            attempts=of,
        )


def _instruction(group: list[Finding]) -> str:
    line = group[0].range.start.line + 1
    parts = []
    for finding in group:
        parts.append(
            (finding.fix.instruction if finding.fix else None)
            or f"Fix this {finding.code} finding on line {line}: {finding.message}"
        )
    return " ".join(dict.fromkeys(parts))


async def remediate(
    findings: list[Finding],
    *,
    writer: SafeWriter,
    backend: object | None,
    component_root: Path,
    max_tokens: int | None = None,
    journal: EventSink | None = None,
    component: str = "",
) -> list[dict[str, str]]:
    """Fix up to :data:`MAX_PER_COMPONENT` critical problems; return one outcome per problem.

    ``component_root`` bounds the refinement (and the tests it re-runs) to one component;
    ``max_tokens`` is the run's completion limit; ``journal`` receives a
    ``remediation_started`` event before each model attempt (progress for long fixes).
    """
    from protosmith.services.refine import refine

    outcomes: list[dict[str, str]] = []
    for group in deduplicate(findings)[:MAX_PER_COMPONENT]:
        finding = group[0]
        path = Path(finding.path)
        path = path if path.is_absolute() else writer.workspace / path
        codes = ",".join(dict.fromkeys(f.code for f in group))
        line = finding.range.start.line + 1
        entry = {"code": codes, "path": str(path), "line": str(line), "attempts": "0"}
        if len(group) > 1:
            entry["duplicates"] = f"{len(group) - 1} more report(s) of the same line merged"

        started = partial(_report, entry, journal, component, codes, f"{path.name}:{line}")
        try:
            if finding.fix and finding.fix.edits:
                before = path.read_text(encoding="utf-8")
                _write(writer, path, apply_text_edits(before, finding.fix.edits))
                entry["outcome"] = f"applied mechanical fix: {finding.fix.title}"
            elif backend is not None:
                result = await refine(
                    path,
                    _instruction(group),
                    root=component_root,
                    backend=backend,  # type: ignore[arg-type]
                    finding=finding,
                    attempts=ATTEMPTS,
                    max_tokens=max_tokens,
                    history=None,
                    on_attempt=started,
                )
                entry["attempt_log"] = " | ".join(result.attempts)
                if result.validated:
                    for edit in result.edits:
                        _write(writer, Path(edit.path), edit.new_text)
                    entry["outcome"] = "refined: " + "; ".join(result.checks)
                else:
                    entry["outcome"] = f"not fixed: {result.message}"
            else:
                entry["outcome"] = "not fixed: no mechanical fix and no model to ask"
        except (BackendError, OSError, ValueError, UnsafePathError, LookupError) as error:
            log.warning("remediation of %s in %s failed", codes, path, exc_info=True)
            tried = entry["attempts"]
            entry["outcome"] = f"not fixed after {tried} attempt(s): {error}"
        outcomes.append(entry)
    return outcomes
