"""Turn test-runner output into TestCase lists: JUnit XML, go test -json, libtest text, TRX.

Every parser reports what the tool reported, nothing more; file paths are made relative to the
project copy, and lines are one-based (as the tools print them). A failure's line is the line
in the test file where it failed when the output says so, else where the test is defined.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Literal

from protosmith.execution.api import TestCase

MESSAGE_CHARS = 4000
Outcome = Literal["passed", "failed", "error", "skipped"]
_PY_LOCATION = re.compile(r"^([^\s:][^:\n]*\.py):(\d+):", re.MULTILINE)
_JS_LOCATION = re.compile(r"(?:file://)?(/[^\s():]+\.[cm]?[jt]sx?):(\d+):\d+")
_JAVA_FRAME = re.compile(r"at ([\w.$]+)\.[\w$<>]+\(([\w$]+\.java):(\d+)\)")
_GO_LOCATION = re.compile(r"^\s+([\w./-]+\.go):(\d+): ", re.MULTILINE)
_RUST_RESULT = re.compile(r"^test (.+?) \.\.\. (ok|FAILED|ignored(?:, .*)?)$", re.MULTILINE)
_RUST_PANIC = re.compile(r"panicked at (?:'.*?', )?([\w./\\-]+\.rs):(\d+):\d+")
_CS_LOCATION = re.compile(r"in (.+?\.cs):line (\d+)")


def relative(path: str, root: Path) -> str:
    """A tool's path (absolute inside the copy, or relative) as a path relative to the project."""
    candidate = PurePosixPath(path.replace("\\", "/"))
    if candidate.is_absolute():
        try:
            return candidate.relative_to(PurePosixPath(root.as_posix())).as_posix()
        except ValueError:
            return candidate.as_posix()
    parts = [part for part in candidate.parts if part != "."]
    return PurePosixPath(*parts).as_posix() if parts else candidate.as_posix()


def _clip(text: str) -> str:
    text = text.strip()
    if len(text) <= MESSAGE_CHARS:
        return text
    return text[: MESSAGE_CHARS // 2] + "\n...\n" + text[-MESSAGE_CHARS // 2 :]


def _junit_outcome(case: ET.Element) -> tuple[Outcome, str, str]:
    tags: tuple[tuple[str, Outcome], ...] = (
        ("failure", "failed"),
        ("error", "error"),
        ("skipped", "skipped"),
    )
    for tag, outcome in tags:
        child = case.find(tag)
        if child is not None:
            message = child.get("message") or ""
            body = child.text or ""
            return outcome, message, body
    return "passed", "", ""


def _java_location(classname: str, body: str, root: Path) -> tuple[str | None, int | None]:
    simple = classname.split("$")[0]
    for frame in _JAVA_FRAME.finditer(body):
        frame_class, filename, line = frame.groups()
        if frame_class.split("$")[0] == simple:
            package = simple.rsplit(".", 1)[0].replace(".", "/") if "." in simple else ""
            return _find_source(root, package, filename), int(line)
    package = simple.rsplit(".", 1)[0].replace(".", "/") if "." in simple else ""
    filename = simple.rsplit(".", 1)[-1] + ".java"
    return _find_source(root, package, filename), None


def _find_source(root: Path, package: str, filename: str) -> str | None:
    for base in ("src/test/java", "src/main/java", "src/test", "test", "."):
        candidate = root / base / package / filename
        if candidate.is_file():
            return candidate.relative_to(root).as_posix()
    found = sorted(root.rglob(filename))
    return found[0].relative_to(root).as_posix() if found else None


def parse_junit_xml(text: str, root: Path, *, flavor: str = "generic") -> list[TestCase]:
    """JUnit XML from pytest (xunit1), surefire, node's junit reporter or any other."""
    try:
        tree = ET.fromstring(text)
    except ET.ParseError:
        return []
    cases: list[TestCase] = []
    for case in tree.iter("testcase"):
        outcome, message, body = _junit_outcome(case)
        classname = case.get("classname") or ""
        name = case.get("name") or "?"
        file = case.get("file")
        line_attr = case.get("line")
        line = int(line_attr) + 1 if line_attr and line_attr.isdigit() else None
        file = relative(file, root) if file else None
        if flavor == "java":
            java_file, java_line = _java_location(classname, body, root)
            file = file or java_file
            line = java_line or line
        elif flavor == "python" and outcome in ("failed", "error"):
            for match in _PY_LOCATION.finditer(body):
                if file is None or relative(match.group(1), root) == file:
                    file, line = relative(match.group(1), root), int(match.group(2))
        elif flavor == "node":
            for match in _JS_LOCATION.finditer(body):
                path = relative(match.group(1), root)
                if not path.startswith("/") and "node_modules" not in path:
                    file, line = path, int(match.group(2))
                    break
        full_name = f"{classname}.{name}" if classname and flavor in ("java", "python") else name
        detail = message if not body.strip() else f"{message}\n{body}" if message else body
        cases.append(
            TestCase(
                name=full_name,
                outcome=outcome,
                file=file,
                line=line,
                message=_clip(detail) if outcome != "passed" else "",
            )
        )
    return cases


def parse_go_json(lines: Iterable[str], root: Path) -> tuple[list[TestCase], list[str]]:
    """``go test -json`` events: per-test outcomes plus the packages whose build failed."""
    outputs: dict[tuple[str, str], list[str]] = {}
    results: dict[tuple[str, str], str] = {}
    package_output: dict[str, list[str]] = {}
    failed_packages: dict[str, str] = {}
    for raw in lines:
        raw = raw.strip()
        if not raw.startswith("{"):
            continue
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            continue
        package, test, action = event.get("Package", ""), event.get("Test"), event.get("Action")
        if test is None:
            if action == "output":
                package_output.setdefault(package, []).append(event.get("Output", ""))
            elif action == "fail":
                failed_packages[package] = "fail"
            continue
        key = (package, test)
        if action == "output":
            outputs.setdefault(key, []).append(event.get("Output", ""))
        elif action in ("pass", "fail", "skip"):
            results[key] = action
    cases: list[TestCase] = []
    tested = {package for package, _ in results}
    for (package, test), action in results.items():
        text = "".join(outputs.get((package, test), []))
        file, line = _go_location(text, package, root)
        outcomes: dict[str, Outcome] = {"pass": "passed", "fail": "failed", "skip": "skipped"}
        outcome = outcomes[action]
        message = _clip(text) if outcome == "failed" else ""
        cases.append(
            TestCase(
                name=f"{package}.{test}",
                outcome=outcome,
                file=file,
                line=line,
                message=message,
            )
        )
    broken = [
        f"{package}: " + "".join(package_output.get(package, [])).strip()
        for package in failed_packages
        if package not in tested
    ]
    return cases, broken


def _go_location(text: str, package: str, root: Path) -> tuple[str | None, int | None]:
    match = _GO_LOCATION.search(text)
    if match is None:
        return None, None
    filename = match.group(1)
    found = sorted(root.rglob(PurePosixPath(filename).name))
    tail = package.rsplit("/", 1)[-1]
    for candidate in found:
        if candidate.parent.name == tail or len(found) == 1:
            return candidate.relative_to(root).as_posix(), int(match.group(2))
    return (found[0].relative_to(root).as_posix() if found else filename), int(match.group(2))


def parse_libtest(text: str, root: Path) -> list[TestCase]:
    """cargo test's libtest text: ``test x ... ok`` lines and the ``---- x stdout ----`` blocks."""
    sections: dict[str, str] = {}
    for block in re.split(r"^---- ", text, flags=re.MULTILINE)[1:]:
        header, _, body = block.partition("\n")
        name = header.removesuffix(" stdout ----").removesuffix(" stderr ----").strip()
        body = re.split(r"^\n?failures:\s*$|^successes:\s*$", body, flags=re.MULTILINE)[0]
        sections[name] = sections.get(name, "") + body
    cases: list[TestCase] = []
    for match in _RUST_RESULT.finditer(text):
        name, status = match.group(1), match.group(2)
        outcome: Outcome = (
            "passed" if status == "ok" else "failed" if status == "FAILED" else "skipped"
        )
        file: str | None = None
        line: int | None = None
        message = ""
        if outcome == "failed":
            message = _clip(sections.get(name, ""))
            panic = _RUST_PANIC.search(message)
            if panic:
                file, line = relative(panic.group(1), root), int(panic.group(2))
        cases.append(
            TestCase(
                name=name,
                outcome=outcome,
                file=file,
                line=line,
                message=message,
            )
        )
    return cases


def parse_trx(text: str, root: Path) -> list[TestCase]:
    """A ``dotnet test --logger trx`` results file."""
    try:
        tree = ET.fromstring(text)
    except ET.ParseError:
        return []
    cases: list[TestCase] = []
    for result in tree.iter():
        if not result.tag.endswith("UnitTestResult"):
            continue
        raw = result.get("outcome", "")
        trx: dict[str, Outcome] = {"Passed": "passed", "Failed": "failed", "NotExecuted": "skipped"}
        outcome: Outcome = trx.get(raw, "error")
        message = " ".join(
            (node.text or "")
            for node in result.iter()
            if node.tag.endswith(("Message", "StackTrace"))
        )
        match = _CS_LOCATION.search(message)
        file = relative(match.group(1), root) if match else None
        line = int(match.group(2)) if match else None
        cases.append(
            TestCase(
                name=result.get("testName", "?"),
                outcome=outcome,
                file=file,
                line=line,
                message=_clip(message) if outcome != "passed" else "",
            )
        )
    return cases
