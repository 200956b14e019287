"""Automatic remediation of critical review findings during a generation run.

A critical finding with a mechanical fix gets its edits applied; one with only an instruction
goes through the refinement engine, which validates the edit (parses, finding gone, tests no
worse) before it is written. Both are capped per component and journaled with their outcome.
"""

from __future__ import annotations

import logging
from pathlib import Path

from protosmith.analysis.findings import Finding, Severity, TextEdit
from protosmith.llm.errors import BackendError
from protosmith.pipeline.writer import SafeWriter, UnsafePathError

log = logging.getLogger(__name__)

MAX_PER_COMPONENT = 3
"""Bound on remediations per component, so one noisy module cannot eat the budget."""


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


async def remediate(
    findings: list[Finding], *, writer: SafeWriter, backend: object | None, component_root: Path
) -> list[dict[str, str]]:
    """Fix up to :data:`MAX_PER_COMPONENT` critical findings; return one outcome per attempt.

    ``component_root`` bounds the refinement (and the tests it re-runs) to one component.
    """
    from protosmith.analysis.refine import refine

    critical = [f for f in findings if f.active and f.severity is Severity.CRITICAL]
    outcomes: list[dict[str, str]] = []
    for finding in critical[:MAX_PER_COMPONENT]:
        path = Path(finding.path)
        path = path if path.is_absolute() else writer.workspace / path
        entry = {"code": finding.code, "path": str(path), "line": str(finding.range.start.line + 1)}
        try:
            if finding.fix and finding.fix.edits:
                before = path.read_text(encoding="utf-8")
                _write(writer, path, apply_text_edits(before, finding.fix.edits))
                entry["outcome"] = f"applied mechanical fix: {finding.fix.title}"
            elif backend is not None:
                instruction = (finding.fix.instruction if finding.fix else None) or (
                    f"Fix this {finding.code} finding on line {finding.range.start.line + 1}: "
                    f"{finding.message}"
                )
                result = await refine(
                    path,
                    instruction,
                    root=component_root,
                    backend=backend,  # type: ignore[arg-type]
                    finding=finding,
                    attempts=2,
                )
                if result.validated:
                    for edit in result.edits:
                        _write(writer, Path(edit.path), edit.new_text)
                    entry["outcome"] = "refined: " + "; ".join(result.checks)
                else:
                    entry["outcome"] = f"not fixed: {result.message}"
            else:
                entry["outcome"] = "not fixed: no fix and no backend"
        except (BackendError, OSError, ValueError, UnsafePathError, LookupError) as error:
            log.warning("remediation of %s in %s failed", finding.code, path, exc_info=True)
            entry["outcome"] = f"not fixed: {error}"
        outcomes.append(entry)
    return outcomes
