"""The language server's pure converters, in process: no server, no subprocess.

Positions on lines with accents, guillemets and emoji in each client unit, the data a diagnostic
carries (only what its fix needs), the code actions built from that data alone, and the
arguments those actions carry back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

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
from protosmith.analysis.positions import Lines
from protosmith.lsp import code_actions, convert
from protosmith.lsp.arguments import (
    FixAllData,
    InvalidArguments,
    LlmFixData,
    RefineArgs,
    RefineTarget,
    action_data,
    parse,
)
from protosmith.lsp.runs import Run
from protosmith.spec.problems import SpecProblem

LINE = 'msg = f"« {nom} » é 😀"; run(cmd)'
TEXT = f"import os\n{LINE}\n"
UNITS = {"utf-8": 1, "utf-16": 2, "utf-32": 4}


def _range(line: int, start: int, end: int) -> Range:
    return Range(start=Position(line=line, character=start), end=Position(line=line, character=end))


def _selected(line: str, value: types.Range, encoding: str) -> str:
    """What a one-line range selects when the client counts in ``encoding``."""
    codec = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}[encoding]
    width = UNITS[encoding]
    data = line.encode(codec)
    return data[value.start.character * width : value.end.character * width].decode(codec)


def _encoder(encoding: str, root: Path) -> convert.Encoder:
    return convert.Encoder(encoding, lambda path: TEXT if path == root / "app.py" else None)


def _finding(fix: Fix | None) -> Finding:
    start = LINE.index("run(cmd)")
    return Finding(
        code="PS301",
        category=Category.SECURITY,
        severity=Severity.CRITICAL,
        message="untrusted data reaches a query",
        path="app.py",
        range=_range(1, start, start + len("run(cmd)")),
        evidence=Evidence(source="taint"),
        cwe=89,
        fix=fix,
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_a_range_after_non_ascii_text_selects_the_same_characters(
    encoding: str, tmp_path: Path
) -> None:
    encoder = _encoder(encoding, tmp_path)
    start = LINE.index("»")
    value = encoder.range(_range(1, start, start + 3), tmp_path / "app.py")
    assert _selected(LINE, value, encoding) == "» é"
    back = convert.finding_range(value, Lines(TEXT), encoding)
    assert (back.start.character, back.end.character) == (start, start + 3)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_spec_problem_columns_are_one_based_code_points(encoding: str) -> None:
    text = 'name = "café 😀"\n'
    column = text.index("😀") + 1
    problem = SpecProblem("PS101", "bad", 1, column, 1, column + 1)
    diagnostic = convert.spec_diagnostic(problem, Lines(text), encoding)
    assert _selected(text.rstrip("\n"), diagnostic.range, encoding) == "😀"
    assert diagnostic.severity == types.DiagnosticSeverity.Error


def test_diagnostic_data_holds_only_what_the_fix_needs(tmp_path: Path) -> None:
    start = LINE.index("run")
    edit = TextEdit(path="app.py", range=_range(1, start, start + 3), new_text="safe_run")
    fix = Fix(title="Fix sql injection", edits=[edit])
    diagnostic = convert.finding_diagnostic(
        _finding(fix), tmp_path, 7, _encoder("utf-16", tmp_path)
    )
    assert diagnostic.message.endswith("(CWE-89)")
    assert isinstance(diagnostic.data, dict)
    assert set(diagnostic.data) == {"code", "title", "edits", "suppression", "version"}
    assert str(tmp_path) not in str(diagnostic.data)  # no path: the diagnostic names its file
    data = convert.diagnostic_data(diagnostic)
    assert data is not None
    assert data.title == "Fix SQL injection (PS301)"
    [change] = data.edits
    assert _selected(LINE, change.to_lsp().range, "utf-16") == "run"
    assert data.suppression is not None
    suppressed = data.suppression.to_lsp()
    assert suppressed.new_text == "  # protosmith: ignore[PS301]"
    assert suppressed.range.start.character == len(LINE.encode("utf-16-le")) // 2


def test_a_fix_that_edits_another_file_keeps_only_its_instruction(tmp_path: Path) -> None:
    edit = TextEdit(path="other.py", range=_range(0, 0, 1), new_text="x")
    fix = Fix(title="Fix", edits=[edit], instruction="use a parameterized query")
    encoder = _encoder("utf-8", tmp_path)
    data = convert.diagnostic_data(
        convert.finding_diagnostic(_finding(fix), tmp_path, None, encoder)
    )
    assert data is not None
    assert data.edits == [] and data.instruction == "use a parameterized query"


def test_data_of_another_source_is_not_ours() -> None:
    foreign = types.Diagnostic(
        range=types.Range(start=types.Position(0, 0), end=types.Position(0, 1)),
        message="x",
        source="ruff",
        data={"code": "F401"},
    )
    assert convert.diagnostic_data(foreign) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Fix sql injection", "Fix SQL injection (PS301)"),
        ("fix", "Fix SQL injection (PS301)"),
        ("Optimize", "Optimize: SQL injection (PS301)"),
        ("Use a parameterized query", "Use a parameterized query (PS301)"),
    ],
)
def test_fix_titles_name_the_rule_in_proper_case(title: str, expected: str) -> None:
    assert convert.fix_title("PS301", Fix(title=title)) == expected


def test_ignore_comment_goes_above_a_line_that_ends_in_a_comment() -> None:
    plain = convert.ignore_edit("a.py", "PS301", 3, "    run(cmd)\n")
    assert (plain.range.start.character, plain.new_text) == (12, "  # protosmith: ignore[PS301]")
    commented = convert.ignore_edit("a.py", "PS301", 3, "    run(cmd)  # «x»", "constant")
    assert commented.range.start.character == 0
    assert commented.new_text == "    # protosmith: ignore[PS301] constant\n"
    in_string = convert.ignore_edit("a.py", "PS301", 0, 'x = "#"')
    assert in_string.range.start.character == len('x = "#"')


def test_fix_all_drops_a_fix_that_overlaps_one_taken() -> None:
    def edit(start: int, end: int) -> convert.Edit:
        return convert.Edit.model_validate(
            {
                "range": {
                    "start": {"line": 0, "character": start},
                    "end": {"line": 0, "character": end},
                },
                "new_text": "x",
            }
        )

    first, overlapping, after = [edit(0, 4)], [edit(2, 6)], [edit(4, 5)]
    assert convert.merge_edits([first, overlapping, after]) == first + after


def _data(**fields: object) -> tuple[types.Diagnostic, convert.DiagnosticData]:
    data = convert.DiagnosticData.model_validate(
        {
            "code": "PS301",
            "suppression": {
                "range": {"start": {"line": 1, "character": 9}, "end": {"line": 1, "character": 9}},
                "new_text": "  # protosmith: ignore[PS301]",
            },
            **fields,
        }
    )
    diagnostic = types.Diagnostic(
        range=types.Range(start=types.Position(1, 2), end=types.Position(1, 5)),
        message="m",
        source=convert.SOURCE,
        code="PS301",
        data=data.model_dump(mode="json"),
    )
    return diagnostic, data


def test_a_concrete_fix_and_ignore_are_built_from_the_data_alone() -> None:
    uri = "file:///w/app.py"
    edit = {
        "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 5}},
        "new_text": "safe",
    }
    diagnostic, data = _data(title="Fix SQL injection (PS301)", edits=[edit])
    fix, ignore = code_actions.finding_actions(uri, diagnostic, data, lazy=True)
    assert fix.title == "Fix SQL injection (PS301)" and fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    [change] = fix.edit.changes[uri]
    assert (change.range.start.character, change.new_text) == (2, "safe")
    assert ignore.title == "Ignore this finding (PS301)"
    assert ignore.edit is not None and ignore.edit.changes is not None
    assert ignore.edit.changes[uri][0].new_text == "  # protosmith: ignore[PS301]"


def test_an_instruction_fix_is_resolved_lazily_or_becomes_a_refine_command() -> None:
    uri = "file:///w/app.py"
    diagnostic, data = _data(title="Fix SQL injection (PS301)", instruction="parameterize it")
    lazy, _ = code_actions.finding_actions(uri, diagnostic, data, lazy=True)
    assert lazy.title == "Fix SQL injection (PS301) with the LLM"
    assert lazy.edit is None and lazy.command is None
    fix = action_data(lazy.data)
    assert isinstance(fix, LlmFixData)
    assert (fix.code, fix.instruction, fix.range.start.character) == ("PS301", "parameterize it", 2)

    eager, _ = code_actions.finding_actions(uri, diagnostic, data, lazy=False)
    assert eager.data is None and eager.command is not None
    assert eager.command.command == "protosmith.refine"
    refine = parse("protosmith.refine", RefineArgs, tuple(eager.command.arguments or ()))
    assert refine.instruction == "parameterize it" and refine.range is not None


def test_refine_and_fix_all_actions_carry_their_commands_arguments() -> None:
    uri = "file:///w/app.py"
    selection = types.Range(start=types.Position(0, 1), end=types.Position(2, 0))
    refine = code_actions.refine_action(uri, selection)
    assert refine.command is not None and refine.command.arguments is not None
    target = RefineTarget.model_validate(refine.command.arguments[0])
    assert target.range is not None and target.range.end.line == 2

    lazy = code_actions.fix_all_action(uri, lazy=True)
    assert action_data(lazy.data) == FixAllData(uri=uri)
    eager = code_actions.fix_all_action(uri, lazy=False)
    assert eager.command is not None and eager.command.arguments == [{"uri": uri}]


def test_action_data_is_validated() -> None:
    assert action_data(None) is None
    assert action_data({"kind": "something else"}) is None
    with pytest.raises(InvalidArguments, match="instruction"):
        action_data({"kind": "llmFix", "uri": "file:///a.py", "code": "PS301"})


def test_a_finished_run_is_described_without_a_progress_percentage(tmp_path: Path) -> None:
    run = Run("review-1a2b3c4d", "review", tmp_path, "protosmith: review app.py")
    assert run.describe()["percentage"] == 0
    run.status, run.result = "finished", {"findings": 2}
    described = run.describe()
    assert "percentage" not in described and described["result"] == {"findings": 2}
