"""Each runner on a real fixture project with one passing and one failing test.

Results must match what running the tests by hand shows: one pass, one failure at the
asserting line. Missing toolchains skip (with the install hint as the reason) or, where that
is the point of the test, must come back as not_run, never as a pass.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from protosmith.execution import api, rules, toolchains
from protosmith.execution.findings import findings_from_run
from protosmith.execution.parse import parse_trx
from protosmith.execution.service import detect_language, run_tests
from protosmith.rulebook import RULES

FIXTURES = Path(__file__).parent / "workspaces" / "runners"

# language -> (failing test's file, the line that fails)
EXPECTED = {
    "python": ("test_calc.py", 10),
    "javascript": ("calc.test.js", 11),
    "go": ("calc_test.go", 13),
    "rust": ("src/lib.rs", 17),
    "java": ("src/test/java/demo/CalcTest.java", 15),
}


def _require(language: str) -> None:
    absent = toolchains.missing(language)
    if absent:
        pytest.skip("; ".join(tool.missing_reason() for tool in absent))


def _check_one_pass_one_fail(result: api.TestRunResult, language: str) -> None:
    if language == "java" and result.status == "not_run":
        pytest.skip(result.reason)
    assert result.status == "failed", (result.reason, result.output[-2000:])
    assert (result.passed, result.failed, result.errors) == (1, 1, 0)
    failing = [case for case in result.cases if case.outcome == "failed"]
    assert len(failing) == 1
    file, line = EXPECTED[language]
    assert (failing[0].file, failing[0].line) == (file, line)
    assert "5" in failing[0].message and "4" in failing[0].message


@pytest.mark.parametrize(
    "language",
    [
        "python",
        "javascript",
        "go",
        "rust",
        pytest.param("java", marks=pytest.mark.slow),
    ],
)
async def test_runner_reports_one_pass_and_one_failure(language: str) -> None:
    _require(language)
    root = FIXTURES / language
    assert detect_language(root) == language
    result = await run_tests(root, language, timeout_s=240)
    _check_one_pass_one_fail(result, language)
    findings = findings_from_run(result, prefix="svc")
    assert [f.code for f in findings] == [rules.FAILING_TEST]
    file, line = EXPECTED[language]
    assert findings[0].path == f"svc/{file}"
    assert findings[0].range.start.line == line - 1


async def test_missing_toolchain_is_not_run_with_the_install_hint(tmp_path: Path) -> None:
    for language in ("javascript", "go", "rust", "java", "csharp"):
        result = await run_tests(FIXTURES / language, language, path_env=str(tmp_path))
        assert result.status == "not_run", language
        assert result.ran == 0
        assert "install:" in result.reason and "apt-get" in result.reason
        findings = findings_from_run(result)
        assert [f.code for f in findings] == [rules.TOOLCHAIN_MISSING]
        assert findings[0].severity == "info"


async def test_csharp_without_dotnet_is_not_run() -> None:
    if not toolchains.missing("csharp"):
        pytest.skip("dotnet is installed; the not_run path is covered with an empty PATH")
    assert detect_language(FIXTURES / "csharp") == "csharp"
    result = await run_tests(FIXTURES / "csharp", "csharp")
    assert result.status == "not_run"
    assert "dotnet" in result.reason and "install:" in result.reason


@pytest.mark.slow
async def test_unresolvable_maven_dependency_is_not_run(tmp_path: Path) -> None:
    _require("java")
    project = shutil.copytree(FIXTURES / "java", tmp_path / "j")
    pom = project / "pom.xml"
    pom.write_text(
        pom.read_text().replace("<version>5.10.2</version>", "<version>0.0.404</version>")
    )
    result = await run_tests(project, "java", timeout_s=240, install_timeout_s=120)
    assert result.status == "not_run", (result.reason, result.output[-2000:])
    assert "could not resolve" in result.reason
    assert [f.code for f in findings_from_run(result)] == [rules.TOOLCHAIN_MISSING]


def test_copy_keeps_nested_bin_but_drops_build_outputs(tmp_path: Path) -> None:
    from protosmith.execution.sandbox import copy_tree

    source = tmp_path / "crate"
    (source / "src" / "bin").mkdir(parents=True)
    (source / "src" / "bin" / "main.rs").write_text("fn main() {}\n")
    (source / "Cargo.toml").write_text('[package]\nname = "crate"\n')
    (source / "target" / "debug").mkdir(parents=True)
    (source / ".git").mkdir()
    copy = copy_tree(source, tmp_path / "copy")
    assert (copy / "src" / "bin" / "main.rs").is_file()
    assert not (copy / "target").exists() and not (copy / ".git").exists()


async def test_python_syntax_error_is_a_build_error(tmp_path: Path) -> None:
    project = shutil.copytree(FIXTURES / "python", tmp_path / "p")
    (project / "calc.py").write_text("def add(a, b)\n    return a + b\n")
    result = await run_tests(project, "python")
    assert result.status == "error"
    assert "calc.py" in result.reason and "SyntaxError" in result.reason
    findings = findings_from_run(result, root=project)
    assert findings[-1].code == rules.BUILD_ERROR
    assert findings[-1].path == "calc.py"


async def test_rust_compile_error_is_error_with_compiler_output(tmp_path: Path) -> None:
    _require("rust")
    project = shutil.copytree(FIXTURES / "rust", tmp_path / "r")
    source = project / "src" / "lib.rs"
    source.write_text(source.read_text().replace("a + b", 'a + "b"'))
    result = await run_tests(project, "rust")
    assert result.status == "error"
    assert result.ran == 0
    assert "error[E" in result.reason and "src/lib.rs" in result.reason
    finding = findings_from_run(result, root=project)[0]
    assert (finding.code, finding.path) == (rules.BUILD_ERROR, "src/lib.rs")


async def test_go_build_error_is_error(tmp_path: Path) -> None:
    _require("go")
    project = shutil.copytree(FIXTURES / "go", tmp_path / "g")
    (project / "calc.go").write_text("package calc\n\nfunc Add(a, b int) int {\n\treturn a +\n}\n")
    result = await run_tests(project, "go")
    assert result.status == "error"
    assert "calc.go" in result.reason


async def test_hanging_test_times_out(tmp_path: Path) -> None:
    project = tmp_path / "hang"
    project.mkdir()
    (project / "test_hang.py").write_text("def test_forever():\n    while True:\n        pass\n")
    result = await run_tests(project, "python", timeout_s=3)
    assert result.status == "error" and result.timed_out
    assert "timed out" in result.reason
    assert [f.code for f in findings_from_run(result)] == [rules.TEST_TIMEOUT]


async def test_a_test_that_needs_network_fails_in_the_sandbox(tmp_path: Path) -> None:
    project = tmp_path / "net"
    project.mkdir()
    (project / "test_net.py").write_text(
        "import socket\n\n\ndef test_fetch():\n"
        "    socket.create_connection(('1.1.1.1', 80), timeout=3).close()\n"
    )
    result = await run_tests(project, "python", timeout_s=60)
    assert result.status == "failed"
    assert result.cases[0].file == "test_net.py" and result.cases[0].line == 5


async def test_empty_project_is_not_run(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("X = 1\n")
    result = await run_tests(tmp_path, "python")
    assert result.status == "not_run"
    assert result.reason == "no tests were found"


def test_detect_language_from_files(tmp_path: Path) -> None:
    (tmp_path / "index.ts").write_text("export const x = 1;\n")
    (tmp_path / "package.json").write_text("{}")
    assert detect_language(tmp_path) == "typescript"
    assert detect_language(FIXTURES / "javascript") == "javascript"
    assert detect_language(tmp_path / "missing") is None


def test_trx_parsing() -> None:
    trx = """<?xml version="1.0" encoding="utf-8"?>
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
<UnitTestResult testName="CalcTests.AddPasses" outcome="Passed" />
<UnitTestResult testName="CalcTests.AddFails" outcome="Failed"><Output><ErrorInfo>
<Message>Assert.Equal() Failure: Expected: 5 Actual: 4</Message>
<StackTrace>   at CalcTests.AddFails() in /tmp/x/CalcTests.cs:line 14</StackTrace>
</ErrorInfo></Output></UnitTestResult></Results></TestRun>"""
    cases = parse_trx(trx, Path("/tmp/x"))
    assert [(c.outcome, c.file, c.line) for c in cases] == [
        ("passed", None, None),
        ("failed", "CalcTests.cs", 14),
    ]


def test_ps5xx_rules_are_registered() -> None:
    for code in ("PS501", "PS502", "PS503", "PS504", "PS505"):
        assert code in RULES
    assert RULES[rules.TOOLCHAIN_MISSING].severity == "info"
