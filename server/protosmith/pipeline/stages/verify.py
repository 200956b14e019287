"""Run a component's generated tests for real and repair what fails, a bounded number of rounds.

A failing run is judged first: when the implementation is wrong the failure goes back to the
implementation agent, when the test is wrong it goes back to the testing agent. Every run and
every round is journaled; the result says passed, failed after N rounds, or not run and why.
Counts come only from runs that happened: nothing is ever reported as passed without running.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any

from protosmith.agents import implementation, testing
from protosmith.agents.common import slug
from protosmith.agents.models import ComponentCode, TestSuite
from protosmith.execution.api import TestRunResult, TestView
from protosmith.llm.errors import BackendError
from protosmith.pipeline.accepted import load_accepted, save_accepted
from protosmith.pipeline.feedback import digest
from protosmith.pipeline.keys import task_id
from protosmith.pipeline.results import Outcome, RepairRound, VerifyResult
from protosmith.pipeline.run import RunContext, TestRunner
from protosmith.pipeline.tasks import (
    code_of,
    dependency_items,
    draft_of,
    remove_stale,
    suite_of,
    write_files,
)

log = logging.getLogger(__name__)


def default_runner() -> tuple[TestRunner | None, str]:
    """The execution service's ``run_tests`` (the second value is kept for callers: why not)."""
    from protosmith.execution.service import run_tests

    async def runner(root: Path, language: str, view: TestView | None = None) -> TestRunResult:
        result: TestRunResult = await run_tests(root, language, view=view)
        return result

    return runner, ""


def _counts(result: TestRunResult | None) -> tuple[int, int, int]:
    """Ran, passed and failed: zero unless the tests really ran."""
    if result is None or result.status == "not_run":
        return 0, 0, 0
    return result.ran, result.passed, result.failed + result.errors


def _rewrite(ctx: RunContext, name: str, old: list[str], files: Any) -> list[str]:
    """Write a repaired set of files and delete those of the previous attempt it no longer has."""
    new = write_files(ctx, name, files, task_id("verify", name))
    remove_stale(ctx, old, new)
    return new


_MISSING = re.compile(r"No module named '([\w.]+)'|Cannot find (?:module|package) '([^']+)'")


def environment_problem(ctx: RunContext, name: str, output: str) -> str:
    """A missing module the pipeline can name without a model: '' when there is none.

    A missing sibling component (its code was not generated) or a third-party package is an
    environment problem: no repair of this component's code or tests can fix it.
    """
    layout = ctx.layout
    for match in _MISSING.finditer(output):
        module = match.group(1) or match.group(2) or ""
        top = module.split(".")[0]
        if module.startswith((".", "/")):
            continue
        if top == layout.package:
            parts = module.split(".")
            sibling = parts[1] if len(parts) > 1 else ""
            for dep in layout.closure(name):
                if slug(dep) == sibling and task_id("implement", dep) not in ctx.results:
                    return f"dependency {dep} has no code (module {module})"
            continue
        if top in sys.stdlib_module_names or top in {slug(c.name) for c in ctx.record.components}:
            continue
        return f"third-party package {top!r} is not installed (No module named {module!r})"
    return ""


_DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "PIL": "Pillow",
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "jwt": "PyJWT",
    "dotenv": "python-dotenv",
}
_PACKAGE = re.compile(r"third-party package '([\w.]+)'")


def declare_package(ctx: RunContext, name: str, problem: str) -> str:
    """Fix a missing third-party package the idiomatic way: declare it in the component's
    ``requirements.txt`` (the test run installs declared requirements). '' when not fixable."""
    match = _PACKAGE.search(problem)
    if match is None or ctx.layout.place(name).language != "python":
        return ""
    distribution = _DISTRIBUTIONS.get(match.group(1), match.group(1))
    relative = f"{ctx.layout.folder(name)}/requirements.txt"
    path = ctx.run.writer.root / relative
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    if any(
        line.split("=")[0].split(">")[0].strip().lower() == distribution.lower() for line in lines
    ):
        return ""
    ctx.run.writer.write_text(relative, "\n".join([*lines, distribution]) + "\n")
    return relative


async def verify(ctx: RunContext, name: str) -> tuple[VerifyResult, list[str]]:
    """Run the tests, repair on failure; the result carries the final code and tests.

    The repair loop starts from the latest accepted state and the repair rounds already spent
    on it, so an unchanged re-run neither rewrites repaired files nor repeats spent rounds.
    """
    brief = ctx.brief(name)
    if ctx.run.runner is None:
        detail = f"not run: {ctx.run.runner_missing}"
        ctx.run.journal.event("test_run", component=name, round=0, status="not_run", reason=detail)
        return VerifyResult(status="not_run", detail=detail, rounds=0), []
    tid = task_id("verify", name)
    code, suite = code_of(ctx, name), suite_of(ctx, name)
    code_files = list(ctx.files.get(task_id("implement", name), []))
    test_files = list(ctx.files.get(task_id("tests", name), []))
    changed_code: ComponentCode | None = None
    changed_suite: TestSuite | None = None
    written: list[str] = []
    max_rounds = ctx.run.spec.budget.max_repair_rounds
    previous = load_accepted(ctx, tid)
    rounds = previous.rounds if previous else 0
    repaired: list[RepairRound] = list(previous.repaired) if previous else []
    result: TestRunResult | None = None
    detail = ""
    view = ctx.layout.view(name)
    while True:
        result = await ctx.run.runner(ctx.run.writer.root, brief.language, view)
        ctx.run.journal.event(
            "test_run",
            component=name,
            round=rounds,
            status=result.status,
            passed=result.passed,
            failed=result.failed,
            errors=result.errors,
            reason=result.reason,
            duration_s=result.duration_s,
        )
        if result.status in ("passed", "not_run"):
            break
        feedback = digest(result)
        problem = environment_problem(ctx, name, feedback)
        declared = declare_package(ctx, name, problem) if problem else ""
        if declared:
            ctx.run.journal.event(
                "environment_fixed", component=name, problem=problem, file=declared
            )
            written = sorted({*written, declared})
            continue
        if problem:
            detail = f"not run: environment: {problem}"
            ctx.run.journal.event("environment_problem", component=name, problem=problem)
            break
        if rounds >= max_rounds:
            detail = f"failed after {rounds} repair round(s)"
            break
        rounds += 1
        interfaces = dependency_items(ctx, name, implemented=True)
        verdict = await testing.judge_failure(
            ctx.run.backend,
            ctx.context,
            brief,
            code,
            suite,
            feedback,
            max_tokens=ctx.run.max_tokens,
            retries=ctx.run.retries(),
            interface=code.interface or draft_of(ctx, name).interface,
            dependencies=interfaces,
        )
        ctx.run.journal.event(
            "repair_round",
            component=name,
            round=rounds,
            culprit=verdict.culprit,
            reason=verdict.reason,
            missing=verdict.missing,
        )
        if verdict.culprit == "environment":
            # Never spend a model's repair round on it: the pipeline reports it.
            rounds -= 1
            named = verdict.missing or verdict.reason
            detail = f"not run: environment: {named}"
            ctx.run.journal.event("environment_problem", component=name, problem=named)
            result = result.model_copy(update={"status": "not_run", "reason": detail})
            break
        try:
            if verdict.culprit == "test":
                suite = (
                    await testing.write_tests(
                        ctx.run.backend,
                        ctx.context,
                        brief,
                        draft_of(ctx, name),
                        max_tokens=ctx.run.max_tokens,
                        retries=ctx.run.retries(),
                        previous=suite,
                        feedback=feedback,
                        dependencies=interfaces,
                        code=code,
                    )
                ).value
                test_files = _rewrite(ctx, name, test_files, suite.files)
                changed_suite = suite
                save_accepted(ctx, task_id("tests", name), suite=suite)
            else:
                code = (
                    await implementation.implement(
                        ctx.run.backend,
                        ctx.context,
                        brief,
                        draft_of(ctx, name),
                        interfaces,
                        max_tokens=ctx.run.max_tokens,
                        retries=ctx.run.retries(),
                        previous=code,
                        feedback=feedback,
                        tests=suite,
                    )
                ).value
                code_files = _rewrite(ctx, name, code_files, code.files)
                changed_code = code
                save_accepted(ctx, task_id("implement", name), code=code)
            repaired.append(
                RepairRound(round=rounds, culprit=verdict.culprit, reason=verdict.reason)
            )
            save_accepted(ctx, tid, rounds=rounds, repaired=repaired)
            written = sorted(set(written) | set(code_files) | set(test_files))
        except BackendError as error:
            detail = f"failed; repair round {rounds} produced no usable reply ({error})"
            ctx.run.journal.event("repair_failed", component=name, round=rounds, error=str(error))
            break
    status: Outcome = "failed"
    if result.status == "passed" or result.status == "not_run":
        status = result.status
    if status == "not_run" and not detail:
        detail = f"not run: {result.reason}"
    elif status == "passed":
        detail = f"passed after {rounds} repair round(s)" if rounds else "passed"
    ran, passed, failed = _counts(result)
    return VerifyResult(
        status=status,
        detail=detail,
        rounds=rounds,
        repaired=repaired,
        ran=ran,
        passed=passed,
        failed=failed,
        code=changed_code,
        suite=changed_suite,
    ), written
