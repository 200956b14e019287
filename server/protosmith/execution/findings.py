"""TestRunResult -> findings (PS5xx) for review, diagnostics and the run summary.

Each finding is grounded in the run itself: a failing test points at the file and line the
runner reported, a build error at the first location the compiler printed that exists in the
project; a missing toolchain is an info finding that says tests were *not* run.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from protosmith import languages
from protosmith.analysis.findings import Category, Evidence, Finding, Range, Severity
from protosmith.execution import rules
from protosmith.execution.api import TestCase, TestRunResult
from protosmith.execution.integration import SmokeResult

_SUFFIXES = "|".join(
    sorted((ext[1:] for ext in languages.SOURCE_EXTENSIONS), key=len, reverse=True)
)
_LOCATION = re.compile(rf"([\w./\\-]+\.(?:{_SUFFIXES}))(?::|\(|:line )(\d+)")
_PY_FRAME = re.compile(r'File "([^"]+\.py)", line (\d+)')
DETAIL_CHARS = 4000


def _runner(language: str) -> str:
    """The test runner findings cite for ``language`` (the language itself when unknown)."""
    known = languages.profile(language)
    return known.runner if known else language


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("def ", "===", "Traceback")):
            return line[:300]
    return ""


def _join(prefix: str, path: str) -> str:
    return (PurePosixPath(prefix) / path).as_posix() if prefix else path


def _line_range(line: int | None) -> Range:
    return Range.lines(max((line or 1) - 1, 0))


def _case_finding(case: TestCase, result: TestRunResult, prefix: str, fallback: str) -> Finding:
    verb = "failed" if case.outcome == "failed" else "errored"
    summary = _first_line(case.message)
    return Finding(
        code=rules.FAILING_TEST,
        category=Category.TEST,
        severity=Severity.MAJOR,
        message=f"test {case.name} {verb}" + (f": {summary}" if summary else ""),
        path=_join(prefix, case.file) if case.file else fallback,
        range=_line_range(case.line if case.file else None),
        evidence=Evidence(source=_runner(result.language), detail=case.message[:DETAIL_CHARS]),
        confidence=1.0,
    )


def _under_root(path: str, root: Path | None) -> str | None:
    """A tool-reported path as a path relative to ``root`` (absolute copy paths included)."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if root is None:
        return None if PurePosixPath(path).is_absolute() else PurePosixPath(*parts).as_posix()
    for start in range(len(parts)):
        suffix = [part for part in parts[start:] if part not in ("/", ".")]
        if suffix and (root / PurePosixPath(*suffix)).is_file():
            return PurePosixPath(*suffix).as_posix()
    return None


def _locate(text: str, root: Path | None) -> tuple[str, int] | None:
    """Python tracebacks: the innermost frame in the project; compilers: the first location."""
    frames = [
        (found, int(match.group(2)))
        for match in _PY_FRAME.finditer(text)
        if (found := _under_root(match.group(1), root))
    ]
    if frames:
        return frames[-1]
    for match in _LOCATION.finditer(text):
        found = _under_root(match.group(1), root)
        if found:
            return found, int(match.group(2))
    return None


def findings_from_run(
    result: TestRunResult,
    *,
    root: Path | None = None,
    prefix: str = "",
    fallback_path: str = ".",
) -> list[Finding]:
    """Findings for one component's run.

    ``root`` is the project folder the run used (to check compiler-reported paths exist);
    ``prefix`` is that folder relative to the workspace, prepended to every path;
    ``fallback_path`` is where findings without a file go (the component's folder or manifest).
    """
    fallback = _join(prefix, fallback_path) if fallback_path != "." else (prefix or ".")
    tool = _runner(result.language)
    found = [
        _case_finding(case, result, prefix, fallback)
        for case in result.cases
        if case.outcome in ("failed", "error")
    ]
    if result.timed_out:
        found.append(
            Finding(
                code=rules.TEST_TIMEOUT,
                category=Category.TEST,
                severity=Severity.MAJOR,
                message=f"{result.language} tests: {result.reason}",
                path=fallback,
                range=_line_range(None),
                evidence=Evidence(source=tool, detail=result.output[-DETAIL_CHARS:]),
                confidence=1.0,
            )
        )
    elif result.status == "error":
        where = _locate(result.reason + "\n" + result.output, root)
        path, line = (_join(prefix, where[0]), where[1]) if where else (fallback, None)
        found.append(
            Finding(
                code=rules.BUILD_ERROR,
                category=Category.TEST,
                severity=Severity.CRITICAL,
                message=f"{result.language} tests could not run: {_first_line(result.reason)}",
                path=path,
                range=_line_range(line),
                evidence=Evidence(
                    source=tool, detail=(result.reason or result.output)[:DETAIL_CHARS]
                ),
                confidence=1.0,
            )
        )
    elif result.status == "not_run" and result.reason != "no tests were found":
        found.append(
            Finding(
                code=rules.TOOLCHAIN_MISSING,
                category=Category.TEST,
                severity=Severity.INFO,
                message=f"{result.language} tests not run: {_first_line(result.reason)}",
                path=fallback,
                range=_line_range(None),
                evidence=Evidence(source=tool, detail=result.reason[:DETAIL_CHARS]),
                confidence=1.0,
            )
        )
    return found


def findings_from_smoke(
    result: SmokeResult, *, contract_path: str, contract_text: str = ""
) -> list[Finding]:
    """PS505 findings for contract violations, on the contract line of the violated path."""
    found: list[Finding] = []
    lines = contract_text.splitlines()
    for problem in result.problems:
        line = None
        for check in result.checks:
            if not check.ok and problem.endswith(check.message) and check.operation in problem:
                key = check.operation.split(" ", 1)[-1]
                line = next(
                    (
                        i + 1
                        for i, text in enumerate(lines)
                        if f'"{key}"' in text or text.strip().startswith(f"{key}:")
                    ),
                    None,
                )
        found.append(
            Finding(
                code=rules.CONTRACT_VIOLATION,
                category=Category.TEST,
                severity=Severity.MAJOR,
                message=f"contract violation: {problem[:500]}",
                path=contract_path,
                range=_line_range(line),
                evidence=Evidence(source="smoke-test", detail=problem),
                confidence=1.0,
            )
        )
    return found
