"""Is a code reply really code? Checks run before an implementation or test task is "done".

A reply that validates against the JSON schema can still be junk: a file ``hello/hello``
holding ``hello``, a test file literally named ``test_*.py``, Python that does not parse, a
test file without a test. Each check names what is wrong so the model's retry can fix it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

from pydantic import BaseModel

from protosmith.agents.models import GeneratedFile
from protosmith.llm.base import Backend, Message, RequestTask
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import StructuredResult, complete_structured
from protosmith.prompts import render

T = TypeVar("T", bound=BaseModel)

_SOURCE = {
    "python": (".py",),
    "javascript": (".js", ".mjs", ".cjs"),
    "typescript": (".ts", ".mts", ".cts", ".js"),
    "go": (".go",),
    "rust": (".rs",),
    "java": (".java",),
    "csharp": (".cs",),
}
_DATA = (
    ".txt", ".json", ".toml", ".md", ".cfg", ".ini", ".sql", ".yaml", ".yml", ".html", ".css",
    ".csv", ".mod", ".sum", ".xml", ".csproj", ".sln", ".lock", ".env", ".sh",
)  # fmt: skip
_BUILD_FILES = {
    "package.json", "package-lock.json", "go.mod", "go.sum", "Cargo.toml", "Cargo.lock",
    "pom.xml", "requirements.txt", "pyproject.toml", "setup.cfg", "tsconfig.json", "Makefile",
    "Dockerfile", ".gitignore", "README.md",
}  # fmt: skip
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_JS_NAME = re.compile(r"^[A-Za-z_$][\w$.-]*$")
_PY_TEST = re.compile(r"^(test_.+|.+_test)$")
_JS_TEST = re.compile(r"\b(?:test|it|describe)\s*\(")
_GO_TEST = re.compile(r"^func\s+Test\w*\s*\(", re.M)


def _unsafe(relative: str) -> bool:
    """Paths the writer refuses (absolute, ``..``, control characters, empty parts)."""
    if not relative.strip() or re.search(r"[\x00-\x1f\x7f]", relative):
        return True
    if relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        return True
    parts = relative.replace("\\", "/").split("/")
    if all(part == "." for part in parts):
        return True
    odd = any(part in ("", "..") or part != part.strip() or part.endswith(".") for part in parts)
    return odd or any(len(part.encode("utf-8")) > 255 for part in parts)


def _stem_ok(path: PurePosixPath, language: str) -> bool:
    stem = path.name.split(".", 1)[0] if language in ("javascript", "typescript") else path.stem
    if "*" in path.name or "?" in path.name:
        return False
    if language == "python":
        return bool(_IDENTIFIER.match(path.stem))
    if language in ("javascript", "typescript"):
        return bool(_JS_NAME.match(stem))
    return bool(re.match(r"^[A-Za-z_][\w.-]*$", path.stem))


def _is_test(path: PurePosixPath, language: str) -> bool:
    name = path.name
    if language == "python":
        return bool(_PY_TEST.match(path.stem))
    if language in ("javascript", "typescript"):
        return bool(re.search(r"\.(test|spec)\.[cm]?[jt]s$", name)) or "test" in path.parts[:-1]
    if language == "go":
        return name.endswith("_test.go")
    return "test" in name.lower() or any("test" in part.lower() for part in path.parts[:-1])


_PY_TEST_DEF = re.compile(r"^\s*(?:async\s+)?def\s+test\w*\s*\(|^\s*class\s+Test\w*\b", re.M)


def _python_problems(path: str, content: str, *, tests: bool) -> list[str]:
    """Syntax by compiling to bytecode, not to an ``ast`` tree: CPython 3.11 builds ast
    objects with interpreter-wide state that a review thread parsing at the same time trips on
    ("AST constructor recursion depth mismatch")."""
    try:
        compile(content, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return [f"{path} does not parse: {error.msg} (line {error.lineno})"]
    except ValueError as error:  # NUL bytes
        return [f"{path} does not parse: {error}"]
    if tests and not _PY_TEST_DEF.search(content):
        return [f"{path} defines no test (no `def test_...` function)"]
    return []


def _node_check(path: str, content: str) -> list[str]:
    """``node --check`` where node exists (syntax only; nothing runs)."""
    node = shutil.which("node")
    if node is None:
        return []
    suffix = PurePosixPath(path).suffix or ".js"
    with tempfile.TemporaryDirectory(prefix="protosmith-check-") as folder:
        target = Path(folder) / f"check{suffix}"
        target.write_text(content, encoding="utf-8")
        try:
            done = subprocess.run(
                [node, "--check", str(target)], capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
    if done.returncode == 0:
        return []
    lines = [line for line in done.stderr.splitlines() if "Error" in line]
    return [f"{path} does not parse: {(lines or ['syntax error'])[0].strip()}"]


def code_problems(
    files: list[GeneratedFile], language: str, *, tests: bool, require: tuple[str, ...] = ()
) -> list[str]:
    """Why ``files`` are not acceptable code (or tests) in ``language``; empty when they are.

    ``require`` names files that must be present (a Python package's ``__init__.py``).
    """
    language = (language or "python").lower()
    sources = _SOURCE.get(language, ())
    problems: list[str] = []
    seen_source = seen_test = False
    paths = {PurePosixPath(item.path.replace("\\", "/")).as_posix() for item in files}
    for name in require:
        if name not in paths:
            problems.append(f"missing {name}: it must export the component's public interface")
    for item in files:
        if _unsafe(item.path):
            continue  # the safe writer refuses it and journals a security event
        path = PurePosixPath(item.path.replace("\\", "/"))
        suffix = path.suffix.lower()
        if path.name in _BUILD_FILES or (suffix in _DATA and suffix not in sources):
            continue
        if sources and suffix not in sources:
            problems.append(
                f"{item.path}: a {language} source file needs one of the extensions "
                f"{', '.join(sources)}"
            )
            continue
        if not _stem_ok(path, language):
            problems.append(f"{item.path}: {path.name!r} is not a valid {language} module name")
            continue
        if not item.content.strip() and path.name != "__init__.py":
            problems.append(f"{item.path} is empty")
            continue
        is_test = _is_test(path, language)
        seen_test = seen_test or is_test
        seen_source = seen_source or not is_test
        if language == "python":
            problems += _python_problems(item.path, item.content, tests=tests and is_test)
        elif language in ("javascript",):
            problems += _node_check(item.path, item.content)
            if tests and is_test and not _JS_TEST.search(item.content):
                problems.append(f"{item.path} defines no test (no test(...) or it(...) call)")
        elif language == "go":
            if not re.search(r"^package\s+\w+", item.content, re.M):
                problems.append(f"{item.path} has no package clause")
            if tests and is_test and not _GO_TEST.search(item.content):
                problems.append(f"{item.path} defines no test (no func TestXxx)")
    if tests and not seen_test and not problems:
        problems.append(f"no test file: name test files the {language} way")
    if not tests and not seen_source and not problems:
        problems.append(f"no {language} source file in the reply")
    return problems


async def complete_code(
    backend: Backend,
    messages: list[Message],
    output_type: type[T],
    *,
    agent: str,
    max_tokens: int,
    retries: int,
    check: Callable[[T], list[str]],
    task: RequestTask | None = None,
    check_retries: int | None = None,
    temperature: float = 0.2,
) -> StructuredResult[T]:
    """A structured reply whose files also pass ``check``; else a retry with the reasons.

    After ``check_retries`` (default ``retries``) rejected replies this raises
    :class:`StructuredOutputError` naming the problems: an honest failure instead of junk
    recorded as done.
    """
    conversation = list(messages)
    attempts = 0
    problems: list[str] = []
    rounds = retries if check_retries is None else check_retries
    for _ in range(rounds + 1):
        result = await complete_structured(
            backend,
            conversation,
            output_type,
            agent=agent,
            max_tokens=max_tokens,
            temperature=temperature,
            retries=retries,
            task=task,
        )
        attempts += result.attempts
        problems = check(result.value)
        if not problems:
            result.attempts = attempts
            return result
        reply = result.completions[-1].text if result.completions else ""
        conversation = [
            *conversation,
            Message(role="assistant", content=reply),
            Message(
                role="user", content=render("structured_retry.j2", problem="; ".join(problems))
            ),
        ]
    raise StructuredOutputError(
        f"{agent}: the reply is not acceptable code after {rounds + 1} attempts: "
        + "; ".join(problems),
        hint="use a more capable model",
    )
