"""Terminal output of a review: findings grouped by file, coloured on a TTY, then a summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from protosmith.analysis.findings import Finding, Severity

_COLOURS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.MAJOR: "\033[31m",
    Severity.MINOR: "\033[33m",
    Severity.INFO: "\033[36m",
}
_RESET = "\033[0m"
_DIM = "\033[2m"
_BOLD = "\033[1m"


def render_review(
    findings: Sequence[Finding],
    files: Sequence[str],
    notes: Sequence[str],
    risk_level: str,
    *,
    colour: bool,
    show_inactive: bool = False,
) -> str:
    """The review as text: ``path:line:col: CODE severity message`` lines under a file heading."""

    def paint(text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if colour else text

    lines: list[str] = []
    shown = [f for f in findings if f.active or show_inactive]
    by_file: dict[str, list[Finding]] = {}
    for finding in shown:
        by_file.setdefault(finding.path, []).append(finding)
    for path in sorted(by_file):
        lines.append(paint(path, _BOLD))
        for finding in sorted(by_file[path], key=lambda f: (f.range.start.line, f.severity.rank)):
            where = f"{path}:{finding.range.start.line + 1}:{finding.range.start.character + 1}"
            tag = paint(f"{finding.severity.value:8}", _COLOURS[finding.severity])
            state = ""
            if finding.suppressed:
                state = paint(" [suppressed]", _DIM)
            elif finding.dismissed_reason:
                state = paint(f" [dismissed: {finding.dismissed_reason}]", _DIM)
            cwe = f" (CWE-{finding.cwe})" if finding.cwe else ""
            lines.append(f"  {where}: {finding.code} {tag} {finding.message}{cwe}{state}")
            if finding.fix is not None and finding.active:
                lines.append(paint(f"      fix: {_fix_text(finding)}", _DIM))
        lines.append("")
    for note in notes:
        lines.append(paint(f"note: {note}", _DIM))
    counts = {s: sum(1 for f in findings if f.active and f.severity == s) for s in Severity}
    inactive = sum(1 for f in findings if not f.active)
    summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no active findings"
    lines.append(
        f"{len(files)} file(s) reviewed: {summary}"
        + (
            f" ({inactive} suppressed or dismissed, not shown: --format json lists them)"
            if inactive and not show_inactive
            else f" ({inactive} suppressed or dismissed)"
            if inactive
            else ""
        )
        + f"; security risk {paint(risk_level, _BOLD)}"
    )
    return "\n".join(lines) + "\n"


def _fix_text(finding: Finding) -> str:
    """What to do: the instruction when there is one (titles can be a bare "Optimize"), else
    the title; an edit that applies it is mentioned."""
    fix = finding.fix
    if fix is None:
        return ""
    text = fix.instruction or fix.title
    return f"{text} (edit available)" if fix.edits else text


def print_review(
    stream: TextIO,
    findings: Sequence[Finding],
    files: Sequence[str],
    notes: Sequence[str],
    risk_level: str,
) -> None:
    """Write the review to ``stream``, coloured when it is a terminal."""
    colour = bool(getattr(stream, "isatty", lambda: False)())
    stream.write(render_review(findings, files, notes, risk_level, colour=colour))
