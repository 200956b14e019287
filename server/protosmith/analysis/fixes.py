"""Mechanical fixes that are safe to apply as text edits (ruff's own fixes come from ruff)."""

from __future__ import annotations

import re

from protosmith.analysis.findings import Finding, Fix, Position, Range, TextEdit

_YAML_LOAD = re.compile(r"\byaml\.load\((?![^)]*Loader)")
_SHELL_TRUE = re.compile(r"shell\s*=\s*True")
_CONSTANT_LIST = re.compile(r"\(\s*\[\s*(['\"][^'\"]*['\"]\s*,?\s*)+\]")


def _line_edit(path: str, line: int, start: int, end: int, text: str) -> TextEdit:
    return TextEdit(
        path=path,
        range=Range(
            start=Position(line=line, character=start), end=Position(line=line, character=end)
        ),
        new_text=text,
    )


def attach_mechanical_fixes(findings: list[Finding], text: str) -> None:
    """Give findings whose line has a known one-line repair a concrete edit."""
    lines = text.splitlines()
    for finding in findings:
        if finding.fix is not None and finding.fix.edits:
            continue
        line_no = finding.range.start.line
        if line_no >= len(lines):
            continue
        line = lines[line_no]
        rule = (finding.evidence.rule_id or "").upper()
        if finding.cwe == 502 or rule == "B506":
            match = _YAML_LOAD.search(line)
            if match:
                edit = _line_edit(
                    finding.path, line_no, match.start(), match.end(), "yaml.safe_load("
                )
                finding.fix = Fix(title="Use yaml.safe_load", edits=[edit])
        elif rule in ("B602", "B604") and _CONSTANT_LIST.search(line):
            match = _SHELL_TRUE.search(line)
            if match:
                edit = _line_edit(finding.path, line_no, match.start(), match.end(), "shell=False")
                finding.fix = Fix(
                    title="Run without a shell (constant argument list)", edits=[edit]
                )
