"""Entry point for running a component's tests: ``run_tests(root, language)``.

Steps: check the toolchain (missing -> not_run with the install hint, never a pass); copy the
tree to a temporary folder; install dependencies in the sandbox with the network allowed and a
time limit (serialised per language, so concurrent runs do not race on shared caches); run the
tests in the sandbox without network; parse what the tool reported. The user's tree is never
written to, and the copy is deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from protosmith import languages, scratch
from protosmith.execution import toolchains
from protosmith.execution.api import TestRunResult, TestView
from protosmith.execution.runners import runner_for
from protosmith.execution.runners.base import RunContext, Runner, cache_root, tail_lines
from protosmith.execution.sandbox import build_outputs, copy_tree_in_thread, run_sandboxed

log = logging.getLogger(__name__)

_MARKER_ORDER = ("rust", "go", "java", "csharp", "python")
"""Which build file decides when several are present; Python's last, as a requirements.txt or a
pyproject.toml often sits beside another language's build for its tooling."""
_SKIP_DIRS = {".git", "node_modules", "__pycache__"}


def _has_build_file(root: Path, language: str) -> bool:
    return any(any(root.glob(marker)) for marker in languages.BY_NAME[language].build_markers)


def _node_language(root: Path) -> str:
    if _has_build_file(root, "typescript"):
        return "typescript"
    for path in _walk(root, 3):
        if path.suffix == ".ts" and not path.name.endswith(".d.ts"):
            return "typescript"
    return "javascript"


def _walk(root: Path, depth: int) -> list[Path]:
    found: list[Path] = []
    entries = sorted(root.iterdir()) if root.is_dir() else []
    outputs = build_outputs(root, [entry.name for entry in entries])
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            skip = entry.name in _SKIP_DIRS or entry.name in outputs
            if depth > 0 and not skip and not entry.name.startswith("."):
                found += _walk(entry, depth - 1)
        elif entry.is_file():
            found.append(entry)
    return found


def detect_language(root: Path) -> str | None:
    """The language of a project from its build files, else from its most common source suffix."""
    root = Path(root)
    if _has_build_file(root, "javascript"):  # TypeScript too: told apart by _node_language
        return _node_language(root)
    for language in _MARKER_ORDER:
        if _has_build_file(root, language):
            return language
    counts: dict[str, int] = {}
    for path in _walk(root, 4):
        found = languages.BY_EXTENSION.get(path.suffix)
        if found:
            counts[found] = counts.get(found, 0) + 1
    return max(counts, key=lambda lang: counts[lang]) if counts else None


def _not_run(language: str, reason: str) -> TestRunResult:
    return TestRunResult(language=language, status="not_run", reason=reason)


@contextlib.asynccontextmanager
async def _install_lock(language: str) -> AsyncIterator[None]:
    """A cross-process lock per language around the install phase (shared caches, venvs)."""
    folder = cache_root() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{language}.lock", "w") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def _install(
    runner: Runner, ctx: RunContext, env: dict[str, str], *, fallback: bool = False
) -> str:
    """Run the install phase; returns '' on success, else what went wrong (not fatal)."""
    deadline = time.monotonic() + ctx.install_timeout_s
    async with _install_lock(ctx.language):
        steps = await (runner.fallback_install(ctx) if fallback else runner.prepare(ctx))
        if fallback and not steps:
            return "no install steps to retry"
        for step in steps:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return f"dependency install ran out of time ({ctx.install_timeout_s:g}s)"
            result = await run_sandboxed(
                step.cmd,
                cwd=step.cwd or ctx.root,
                timeout_s=remaining,
                network=True,
                env={**env, **step.env},
                limits=runner.limits,
                writable=step.writable,
            )
            if result.timed_out:
                return f"dependency install timed out after {ctx.install_timeout_s:g}s: {' '.join(step.cmd)}"
            if result.returncode != 0:
                detail = tail_lines(result.stdout + "\n" + result.stderr, 20)
                return f"dependency install failed ({' '.join(step.cmd)}):\n{detail}"
        await runner.installed(ctx)
    return ""


async def _test(runner: Runner, ctx: RunContext, env: dict[str, str]) -> TestRunResult:
    step = runner.test_step(ctx)
    result = await run_sandboxed(
        step.cmd,
        cwd=step.cwd or ctx.root,
        timeout_s=ctx.timeout_s,
        network=False,
        env={**env, **step.env},
        limits=runner.limits,
        writable=step.writable,
    )
    return runner.interpret(ctx, step, result)


async def run_tests(
    root: Path,
    language: str,
    *,
    timeout_s: float = 120,
    install_timeout_s: float = 300,
    path_env: str | None = None,
    view: TestView | None = None,
) -> TestRunResult:
    """Run the tests of the project at ``root`` for real and report exactly what happened.

    ``path_env`` replaces the PATH used to find and run toolchains (default: ours plus the
    usual installer folders). ``view`` narrows the copy to what one component's tests import
    and says where the tests run and which to select (a component inside a project tree).
    """
    started = time.monotonic()
    language = language.lower()
    runner = runner_for(language)
    if runner is None:
        return _not_run(language, f"no test runner for language {language!r}")
    # Blocking work (version probes, tree copies) runs in threads: the LSP event loop stays free.
    missing = await asyncio.to_thread(toolchains.missing, language, path_env=path_env)
    if missing:
        return _not_run(language, "; ".join(tool.missing_reason() for tool in missing))
    root = Path(root)
    if not root.is_dir():
        return _not_run(language, f"{root} is not a folder")
    work = scratch.new_folder("run-")
    try:
        include = list(view.include) if view is not None and view.include else None
        copy = await copy_tree_in_thread(root, work / "project", include)
        if view is not None and view.workdir:
            copy = copy / view.workdir
            copy.mkdir(parents=True, exist_ok=True)
        path = toolchains.search_path(path_env)
        ctx = RunContext(copy, language, path, timeout_s, install_timeout_s)
        if view is not None:
            ctx.select = list(view.select)
        reason = await asyncio.to_thread(runner.unavailable, ctx)
        if reason:
            return _not_run(language, reason)
        env = {"PATH": path, **runner.env(ctx)}
        try:
            install_problem = await _install(runner, ctx, env)
        except (OSError, RuntimeError, TimeoutError) as exc:
            log.exception("install phase for %s failed", language)
            install_problem = f"dependency install could not start: {exc}"
        outcome = await _test(runner, ctx, env)
        if outcome.status == "not_run" and not install_problem:
            retry_problem = await _install(runner, ctx, env, fallback=True)
            if not retry_problem:
                outcome = await _test(runner, ctx, env)
            elif retry_problem != "no install steps to retry":
                install_problem = retry_problem
        if install_problem:
            log.warning("%s: %s", language, install_problem.splitlines()[0])
            if outcome.status in ("error", "not_run"):
                outcome.reason = f"{outcome.reason}\n\n{install_problem}".strip()
        outcome.duration_s = round(time.monotonic() - started, 3)
        return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)


class CommandRun(BaseModel):
    """One smoke command as it really ran: exit status, or still running when its time ended."""

    command: list[str]
    status: Literal["passed", "failed", "not_run"]
    detail: str = ""
    output: str = ""
    still_running: bool = False


async def run_commands(
    root: Path,
    language: str,
    commands: list[list[str]],
    *,
    view: TestView | None = None,
    timeout_s: float = 10,
    long_running: bool = False,
    env: dict[str, str] | None = None,
    install_timeout_s: float = 300,
) -> list[CommandRun]:
    """Run ``commands`` in one contained copy, with the environment the tests get.

    ``long_running``: a command still running when ``timeout_s`` ends (a server) counts as
    started, unless it already printed a traceback. Used for the smoke run of a tree.
    """
    language = language.lower()
    runner = runner_for(language)
    if runner is None:
        return [CommandRun(command=c, status="not_run", detail="no runner") for c in commands]
    missing = await asyncio.to_thread(toolchains.missing, language)
    if missing:
        reason = "; ".join(tool.missing_reason() for tool in missing)
        return [CommandRun(command=c, status="not_run", detail=reason) for c in commands]
    work = scratch.new_folder("run-")
    try:
        include = list(view.include) if view is not None and view.include else None
        copy = await copy_tree_in_thread(Path(root), work / "project", include)
        if view is not None and view.workdir:
            copy = copy / view.workdir
        path = toolchains.search_path(None)
        ctx = RunContext(copy, language, path, timeout_s, install_timeout_s)
        if view is not None:
            ctx.select = list(view.select)
        base_env = {"PATH": path, **runner.env(ctx), **(env or {})}
        problem = await _install(runner, ctx, base_env)
        runs = []
        for command in commands:
            argv = runner.command(ctx, command)
            result = await run_sandboxed(
                argv,
                cwd=ctx.root,
                timeout_s=timeout_s,
                network=False,
                env=base_env,
                limits=runner.limits,
            )
            output = (result.stdout + "\n" + result.stderr).strip()
            crashed = "Traceback (most recent call last)" in output or "Error:" in output
            if result.timed_out and long_running and not crashed:
                runs.append(
                    CommandRun(
                        command=command,
                        status="passed",
                        detail=f"still running after {timeout_s:g}s (started)",
                        output=output[-2000:],
                        still_running=True,
                    )
                )
            elif result.returncode == 0 and not result.timed_out:
                runs.append(CommandRun(command=command, status="passed", output=output[-2000:]))
            else:
                why = "timed out" if result.timed_out else f"exit status {result.returncode}"
                if problem:
                    why += f" ({problem.splitlines()[0]})"
                runs.append(
                    CommandRun(command=command, status="failed", detail=why, output=output[-2000:])
                )
        return runs
    finally:
        shutil.rmtree(work, ignore_errors=True)
