"""The review as terminal text: what a fix says, and how to see what is not shown."""

from __future__ import annotations

from protosmith.analysis.findings import (
    Category,
    Evidence,
    Finding,
    Fix,
    Position,
    Range,
    Severity,
    TextEdit,
)
from protosmith.report.text import render_review

WHERE = Range(start=Position(line=2, character=0), end=Position(line=2, character=5))


def _finding(code: str, **fields: object) -> Finding:
    return Finding.model_validate(
        {
            "code": code,
            "category": Category.QUALITY,
            "severity": Severity.MAJOR,
            "message": "string concatenation in a loop",
            "path": "app.py",
            "range": WHERE,
            "evidence": Evidence(source="perf"),
            **fields,
        }
    )


def _text(*findings: Finding) -> str:
    return render_review(list(findings), ["app.py"], [], "LOW", colour=False)


def test_a_fix_prints_its_instruction_not_a_bare_title() -> None:
    instruction = "collect the parts in a list and join them once after the loop"
    text = _text(_finding("PS401", fix=Fix(title="Optimize", instruction=instruction)))
    assert f"fix: {instruction}" in text and "fix: Optimize" not in text
    edit = TextEdit(path="app.py", range=WHERE, new_text="''.join(parts)")
    both = _text(
        _finding("PS401", fix=Fix(title="Optimize", instruction=instruction, edits=[edit]))
    )
    assert f"fix: {instruction} (edit available)" in both
    titled = _text(_finding("PS401", fix=Fix(title="Use a parameterised query", edits=[edit])))
    assert "fix: Use a parameterised query (edit available)" in titled


def test_findings_not_shown_are_counted_with_the_flag_that_lists_them() -> None:
    text = _text(
        _finding("PS301"),
        _finding("PS302", suppressed=True),
        _finding("PS303", dismissed_reason="a test fixture"),
    )
    assert "PS302" not in text and "PS303" not in text
    assert "(2 suppressed or dismissed, not shown: --format json lists them)" in text
