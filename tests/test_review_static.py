"""Static review service: ruff and bandit mapping, taint findings, suppressions, performance rules."""

from __future__ import annotations

import time
from pathlib import Path

from protosmith.analysis import rules
from protosmith.analysis.analyzers import find_js_analyzer
from protosmith.analysis.findings import Category, Severity, Tier
from protosmith.analysis.review import collect_files, review_source, risk_level
from protosmith.analysis.suppress import apply_suppressions, parse_suppressions
from protosmith.rulebook import RULES
from protosmith.services.review import review

WORKSPACE = Path(__file__).parent / "workspaces" / "review"


def by_code(findings, code):
    return [f for f in findings if f.code == code]


async def test_review_workspace_finds_grounded_issues() -> None:
    result = await review([WORKSPACE], root=WORKSPACE)
    assert result.files == ["app/clean.py", "app/views.py", "perf/slow.py", "web/app.js"]
    sqli = by_code(result.findings, "PS301")
    assert len(sqli) == 1 and sqli[0].active and sqli[0].severity == Severity.CRITICAL
    assert sqli[0].path == "app/views.py" and sqli[0].range.start.line == 15
    assert sqli[0].related and sqli[0].related[0].range.start.line == 13
    assert "bandit B608" in sqli[0].evidence.detail
    assert sqli[0].cwe == 89
    assert result.risk_level == "CRITICAL"
    assert not [f for f in result.findings if f.path == "web/app.js"]
    js_note = any("javascript: LLM review only" in note for note in result.notes)
    assert js_note == (find_js_analyzer() is None)
    assert not [f for f in result.findings if f.path == "app/clean.py"]


async def test_suppressed_finding_stays_visible_but_inactive() -> None:
    result = await review([WORKSPACE / "app" / "views.py"], root=WORKSPACE)
    command = by_code(result.findings, "PS302")
    assert len(command) == 1
    assert command[0].suppressed and not command[0].active
    assert "checked by the gateway" in command[0].evidence.detail


async def test_bandit_result_without_taint_stays_unconfirmed_with_mechanical_fix() -> None:
    result = await review([WORKSPACE / "app" / "views.py"], root=WORKSPACE)
    yaml_load = [f for f in result.findings if f.evidence.rule_id == "B506"]
    assert len(yaml_load) == 1
    finding = yaml_load[0]
    assert finding.severity == Severity.INFO and finding.tier == Tier.UNCONFIRMED
    assert finding.active and finding.dismissed_reason is None  # never hidden
    assert finding.precision == "low" and "unconfirmed" in finding.message
    assert finding.fix is not None and finding.fix.edits[0].new_text == "yaml.safe_load("


async def test_performance_fixtures() -> None:
    result = await review([WORKSPACE / "perf"], root=WORKSPACE)
    found = {
        (f.code, f.range.start.line + 1)
        for f in result.findings
        if f.category == Category.PERFORMANCE
    }
    assert (rules.NESTED_LOOP, 11) in found
    assert (rules.STRING_CONCAT, 20) in found
    assert (rules.IO_IN_LOOP, 27) in found
    assert (rules.IO_IN_LOOP, 32) in found
    assert (rules.SORT_IN_LOOP, 45) in found
    assert (rules.LIST_MEMBERSHIP, 53) in found
    assert (rules.LOOP_INVARIANT, 62) in found
    assert not any(code == rules.NESTED_LOOP and line > 64 for code, line in found), (
        "row/cell is not quadratic"
    )
    # Per-group sorts, iterables evaluated once, nested structures, one file per item, retries
    # and fixed-size collections: linear code that only looks like the patterns above.
    # (PS407 is ruff's PERF rules, not ours.)
    assert not [(code, line) for code, line in found if line > 72 and code != "PS407"], found


async def test_tool_folders_are_skipped_unless_named(tmp_path: Path) -> None:
    for folder in (".venv/lib", "node_modules/pkg", "src", "__pycache__"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "mod.py").write_text("import os\nos.system(input())\n")
    files = collect_files([tmp_path], tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["src/mod.py"]
    named = collect_files([tmp_path / ".venv" / "lib"], tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in named] == [".venv/lib/mod.py"]


async def test_unsaved_buffer_is_reviewed_instead_of_disk(tmp_path: Path) -> None:
    module = tmp_path / "mod.py"
    module.write_text("def f():\n    return 1\n")
    buffer = "import os\nos.system(input())\n"
    result = await review([module], root=tmp_path, sources={module: buffer})
    command = by_code(result.findings, "PS302")
    assert command and command[0].range.start.line == 1
    assert command[0].severity == Severity.MAJOR, (
        "input() is a local source: one step below critical"
    )


def test_review_source_is_fast_and_carries_ruff_fixes(tmp_path: Path) -> None:
    text = "import os\nimport sys\n\n\ndef main():\n    return os.getcwd()\n"
    review_source(tmp_path / "warm.py", text, root=tmp_path)
    started = time.perf_counter()
    findings = review_source(tmp_path / "mod.py", text, root=tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0
    unused = [f for f in findings if f.evidence.rule_id == "F401"]
    assert len(unused) == 1 and unused[0].path == "mod.py"
    assert unused[0].fix is not None and unused[0].fix.edits[0].range.start.line == 1


def test_syntax_error_is_one_finding(tmp_path: Path) -> None:
    findings = review_source(tmp_path / "bad.py", "def broken(:\n", root=tmp_path)
    assert any(f.code == rules.SYNTAX and f.severity == Severity.CRITICAL for f in findings)


def test_suppression_comments() -> None:
    text = (
        "x = 1  # protosmith: ignore[PS301, B608] parameterized upstream\n"
        "# protosmith: ignore\n"
        "y = 2\n"
    )
    table = parse_suppressions(text)
    assert table[0].codes == {"PS301", "B608"} and table[0].reason == "parameterized upstream"
    assert table[2].codes == frozenset()
    findings = review_source(
        Path("s.py"),
        "import os\nos.system(input())  # protosmith: ignore[PS999]\n",
        root=Path.cwd(),
    )
    assert all(not f.suppressed for f in findings if f.code == "PS302")
    apply_suppressions(findings, "import os\nos.system(input())  # protosmith: ignore[PS302]\n")
    assert all(f.suppressed for f in findings if f.code == "PS302")


def test_risk_level_and_rule_registry() -> None:
    assert risk_level([]) == "MINIMAL"
    for code in ("PS201", "PS301", "PS320", "PS390", "PS401", "PS407"):
        assert code in RULES
    assert all(RULES[c.code].cwe == c.cwe for c in rules.SECURITY_CLASSES)
