"""The refinement use case: an instruction or a finding becomes a validated edit.

An edit is offered only after it passes the checks that apply: every changed file parses, no
placeholder was introduced, the targeted finding is gone, and the project's tests pass at least
as well as before (run for real in the sandbox). Rejected attempts go back to the model with the
reason, a bounded number of times. Every refinement is recorded in ``.protosmith/refinements.jsonl``
of the workspace, or (``history=None``, the pipeline) only in the caller's run journal.
"""

from __future__ import annotations

import builtins
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from protosmith.agents.common import find_placeholders
from protosmith.agents.refiner import run_refiner
from protosmith.analysis.edit_checks import (
    new_undefined_names,
    syntax_problem,
    unified_diff,
    whole_file_edit,
)
from protosmith.analysis.findings import Finding, Range, TextEdit
from protosmith.analysis.impact import (
    build_import_graph,
    module_name,
    plan_rename,
    rename_leftovers,
)
from protosmith.context.secrets import filter_for_remote
from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError, StructuredOutputError
from protosmith.settings import Settings, resolve_settings

_RENAME = re.compile(r"^\s*rename\s+`?([A-Za-z_]\w*)`?\s+to\s+`?([A-Za-z_]\w*)`?\s*\.?\s*$", re.I)


class RefineResult(BaseModel):
    """A proposed edit and what was checked before offering it."""

    edits: list[TextEdit] = Field(default_factory=list)
    validated: bool = False
    diff: str = ""
    message: str = ""
    files: list[str] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    """Each check that ran and its outcome, e.g. "parse: ok", "tests: 4 passed (before 4)"."""
    attempts: list[str] = Field(default_factory=list)
    """One line per model attempt: what it proposed and why it was kept or rejected."""


class FixTarget(BaseModel):
    """The finding a refinement must make disappear: its rule code, in its file."""

    code: str
    path: str
    """Relative to the workspace root, or absolute."""


def is_mechanical(instruction: str) -> bool:
    """True when the instruction is handled without the LLM (``rename OLD to NEW``)."""
    return _RENAME.match(instruction) is not None


def _new_placeholders(before: str, after: str) -> bool:
    """True when the edit brings in a kind of placeholder the file did not already have."""
    return bool(set(find_placeholders(after)) - set(find_placeholders(before)))


async def _run_tests(root: Path) -> tuple[int, int] | None:
    """(passed, failed+errors) of the project's tests, or None when none can run."""
    from protosmith.execution.service import detect_language, run_tests

    language = detect_language(root)
    if language is None:
        return None
    result = await run_tests(root, language)
    if result.status == "not_run":
        return None
    return result.passed, result.failed + result.errors


async def _tests_check(
    root: Path, changes: Mapping[Path, str], baseline: tuple[int, int] | None
) -> str | None:
    """Run the tests on a copy with the changes applied; return a rejection reason or None."""
    if baseline is None:
        return None
    with tempfile.TemporaryDirectory(prefix="protosmith-refine-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(
            root,
            copy,
            ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", ".protosmith"),
        )
        for path, text in changes.items():
            (copy / path.relative_to(root)).write_text(text, encoding="utf-8")
        after = await _run_tests(copy)
    if after is None:
        return "the tests no longer run after the edit"
    if after[1] > baseline[1] or after[0] < baseline[0]:
        return f"tests got worse: {after[0]} passed, {after[1]} failed (before {baseline[0]} passed, {baseline[1]} failed)"
    return None


def _finding_check(
    finding: Finding | FixTarget | None, path: Path, text: str, root: Path
) -> str | None:
    if finding is None or path.suffix != ".py" or (root / finding.path).resolve() != path.resolve():
        return None
    from protosmith.analysis.review import review_source

    remaining = [f for f in review_source(path, text, root=root) if f.code == finding.code]
    return f"finding {finding.code} is still reported" if remaining else None


def _record(history: Path | None, instruction: str, result: RefineResult, started: float) -> None:
    """Append the refinement, its checks and attempts to the history file (when there is one)."""
    if history is None:
        return
    entry = {
        "instruction": instruction,
        "validated": result.validated,
        "files": result.files,
        "checks": result.checks,
        "attempts": result.attempts,
        "duration_s": round(time.monotonic() - started, 3),
    }
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def _result(
    root: Path, changes: dict[Path, tuple[str, str]], checks: list[str], message: str
) -> RefineResult:
    return RefineResult(
        edits=[whole_file_edit(path, before, after) for path, (before, after) in changes.items()],
        validated=True,
        diff=unified_diff(changes, root),
        message=message,
        files=[str(path) for path in changes],
        checks=checks,
    )


async def refine(
    path: Path,
    instruction: str,
    *,
    root: Path,
    backend: Backend | None,
    range: Range | None = None,
    finding: Finding | FixTarget | None = None,
    attempts: int = 3,
    max_tokens: int | None = None,
    settings: Settings | None = None,
    history: Path | Literal["workspace"] | None = "workspace",
    on_attempt: Callable[[int, int], None] | None = None,
) -> RefineResult:
    """Compute a validated edit for ``instruction`` on ``path`` (a file or folder) inside ``root``.

    ``max_tokens`` bounds each reply (default: the backend's effective limit under ``settings``,
    the caller's resolution, else one made here without editor, spec or flags); ``history`` is where
    the refinement is recorded (``"workspace"``: ``root/.protosmith/refinements.jsonl``; None:
    nowhere, the caller journals the result); ``on_attempt(n, of)`` is called before each call.
    """
    path, root = path.resolve(), root.resolve()
    if history == "workspace":
        history = root / ".protosmith" / "refinements.jsonl"
    if not path.is_relative_to(root):
        raise ValueError(f"{path} is outside the workspace {root}")
    started = time.monotonic()
    baseline = await _run_tests(root)
    checks = [
        f"tests before: {baseline[0]} passed, {baseline[1]} failed"
        if baseline
        else "tests: none to run"
    ]
    rename = _RENAME.match(instruction)
    if rename:
        planned = plan_rename(root, rename.group(1), rename.group(2))
        renamed = {p: (p.read_text(encoding="utf-8"), text) for p, text in planned.items()}
        left = rename_leftovers(root, rename.group(1), planned)
        if left:
            result = RefineResult(
                message=f"the rename would leave {rename.group(1)} used at {', '.join(left[:5])}",
                checks=[*checks, "rename: uses left behind"],
            )
        else:
            result = await _validate(
                root, renamed, baseline, finding, [*checks, "rename: complete"]
            )
        result.message = (
            result.message
            or f"renamed {rename.group(1)} to {rename.group(2)} in {len(renamed)} module(s)"
        )
        _record(history, instruction, result, started)
        return result
    if backend is None:
        raise BackendError(
            "refine needs an LLM backend for this instruction",
            hint="configure --backend/--model, or use 'rename OLD to NEW'",
        )
    if max_tokens is None:  # the backend's effective completion limit (endpoint, table, default)
        from protosmith.llm.limits import effective_limits

        settings = settings if settings is not None else resolve_settings()[0]
        max_tokens = (await effective_limits(backend, settings)).max_tokens
    targets = (
        [path]
        if path.is_file()
        else [
            p
            for p in sorted(path.rglob("*"))
            if p.is_file() and p.suffix in {".py", ".js", ".ts", ".go", ".rs", ".java"}
        ][:8]
    )
    files = {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in targets}
    context = _impact_context(root, path)
    if backend.capabilities.device.kind == "remote":
        files, context = _guard_secrets(files, context)
    selection = (range.start.line + 1, range.end.line + 1) if range else None
    feedback = ""
    result = RefineResult(message="no attempt made", checks=checks)
    tried: list[str] = []
    for attempt in builtins.range(attempts):
        if on_attempt is not None:
            on_attempt(attempt + 1, attempts)
        try:
            reply = await run_refiner(
                backend,
                instruction=instruction,
                files=files,
                selection=selection,
                target=str(path.relative_to(root)),
                feedback=feedback,
                context=context,
                max_tokens=max_tokens,
            )
        except BackendError as error:
            if not isinstance(error, StructuredOutputError):
                raise
            feedback = "the reply was not the JSON object asked for"
            tried.append(f"attempt {attempt + 1}: no usable reply ({error})")
            result = RefineResult(message=f"no usable reply: {error}", checks=checks)
            continue
        changes: dict[Path, tuple[str, str]] = {}
        for item in reply.value.files:
            target = (root / item.path).resolve()
            if not target.is_relative_to(root) or str(target.relative_to(root)) not in files:
                feedback = f"{item.path} is not one of the files you were given"
                result = RefineResult(message=feedback, checks=checks)
                break
            before = files[str(target.relative_to(root))]
            if item.content != before:
                changes[target] = (before, item.content)
        else:
            result = await _validate(root, changes, baseline, finding, list(checks))
            if result.validated:
                result.message = reply.value.summary or f"refined after {attempt + 1} attempt(s)"
                tried.append(f"attempt {attempt + 1}: validated")
                break
            feedback = result.message
        tried.append(f"attempt {attempt + 1}: rejected ({feedback})")
    result.attempts = tried
    if not result.validated and tried:
        result.message = f"{len(tried)} attempt(s) rejected; last: {result.message}"
    _record(history, instruction, result, started)
    return result


def _guard_secrets(
    files: dict[str, str], context: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Before text goes to a remote model: secret files refused, read-only context redacted.

    Files to rewrite cannot be redacted (the rewrite would replace the secret with the mask),
    so a target holding a secret-looking string is refused with a clear reason instead.
    """
    kept, withheld = filter_for_remote(files)
    if withheld or any(kept[path] != files[path] for path in kept):
        names = ", ".join(withheld or [p for p in kept if kept[p] != files[p]])
        raise ValueError(
            f"{names}: holds secrets; not sent to a remote model "
            "(use a local backend, or set PROTOSMITH_REDACT=0 to send it as is)"
        )
    context, _ = filter_for_remote(context)
    return files, context


def _impact_context(root: Path, path: Path) -> dict[str, str]:
    """Modules that import the target, shown read-only so the model keeps them consistent."""
    if not path.is_file() or path.suffix != ".py":
        return {}
    graph = build_import_graph(root)
    dependants = graph.dependants(module_name(path, root))
    return {
        str(graph.modules[m].relative_to(root)): graph.modules[m].read_text(encoding="utf-8")[:4000]
        for m in sorted(dependants)[:4]
    }


async def _validate(
    root: Path,
    changes: dict[Path, tuple[str, str]],
    baseline: tuple[int, int] | None,
    finding: Finding | FixTarget | None,
    checks: list[str],
) -> RefineResult:
    if not changes:
        return RefineResult(message="the edit changes nothing", checks=checks)
    for path, (before, after) in changes.items():
        problem = syntax_problem(path, after)
        if problem:
            return RefineResult(
                message=f"the edit does not parse: {problem}", checks=[*checks, "parse: failed"]
            )
        undefined = new_undefined_names(path, before, after)
        if undefined:
            return RefineResult(
                message=f"the edit leaves undefined name(s) in {path.name}: {undefined}",
                checks=[*checks, "names: undefined"],
            )
        if _new_placeholders(before, after):
            return RefineResult(
                message=f"the edit adds placeholders to {path.name}",
                checks=[*checks, "placeholders: found"],
            )
        problem = _finding_check(finding, path, after, root)
        if problem:
            return RefineResult(message=problem, checks=[*checks, "finding: still present"])
    checks = [*checks, "parse: ok", "names: defined", "placeholders: none"]
    problem = await _tests_check(root, {p: after for p, (_, after) in changes.items()}, baseline)
    if problem:
        return RefineResult(message=problem, checks=[*checks, "tests: worse"])
    if baseline is not None:
        checks.append("tests after: no regressions")
    return _result(root, changes, checks, "")
