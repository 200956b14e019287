"""The run summary: what ``generate --json`` prints, built from real outcomes only.

Test counts come from test runs that happened; a component whose tests could not run is
counted as not run with the reason, never as passed. The status follows what was proven:
``succeeded`` only when every component's tests ran and passed (or the caller asked for no
test execution) on the architect's design; everything short of that is a listed gap.
"""

from __future__ import annotations

from typing import Any

from protosmith.llm.errors import BackendError, ReplyTruncated, StructuredOutputError
from protosmith.pipeline.api import (
    ComponentResult,
    ReviewResult,
    RunGap,
    RunSummary,
    RunUsage,
    TestCounts,
)
from protosmith.pipeline.keys import task_id
from protosmith.pipeline.run import RunSession
from protosmith.pipeline.scheduler import TaskOutcome

TESTS_DISABLED = "test execution disabled"
"""The runner-missing reason when the caller asked for no test execution (not a gap)."""
_KINDS = ("interface", "implement", "tests", "verify", "review")


def resume_command(run_id: str) -> str:
    return f"protosmith generate --resume {run_id}"


def is_infrastructure(error: BaseException | None) -> bool:
    """True for failures of the endpoint itself (down, timing out, overloaded), not the model.

    Such a task did not fail on its merits: restarting the endpoint and resuming finishes it.
    """
    if not isinstance(error, BackendError):
        return False
    if isinstance(error, StructuredOutputError | ReplyTruncated):
        return False
    return error.retryable


def _infrastructure_detail(error: BaseException) -> str:
    text = str(error)
    if "connect" in text.lower():
        return f"endpoint unreachable ({text})"
    return f"endpoint unavailable ({text})"


def _infrastructure_fix(error: BaseException, run_id: str) -> str:
    if "timed out" in str(error):
        return (
            "raise the timeout (PROTOSMITH_TIMEOUT) or lighten the endpoint's load, "
            f"then run `{resume_command(run_id)}`"
        )
    return f"restart the endpoint, then run `{resume_command(run_id)}`"


def _last_test_runs(session: RunSession) -> dict[str, dict[str, Any]]:
    """Per component, its most recent journaled test run that really ran."""
    last: dict[str, dict[str, Any]] = {}
    for event in session.journal.events():
        if event.get("kind") == "test_run" and event.get("status") not in (None, "not_run"):
            last[str(event.get("component"))] = event
    return last


def _review(session: RunSession, name: str) -> ReviewResult | None:
    ctx = session.graph
    review = ctx.results.review(name) if ctx else None
    if review is None:
        return None
    found = review.findings
    if not found:
        return ReviewResult(detail=review.detail or "")
    remediations = review.remediations or []
    fixed = sum(1 for r in remediations if not r.get("outcome", "").startswith("not fixed"))
    return ReviewResult(
        findings=int(found.get("total", 0)),
        by_severity={k: int(v) for k, v in found.items() if k != "total"},
        fixed=fixed,
        not_fixed=len(remediations) - fixed,
    )


def _component_files(session: RunSession, name: str) -> list[str]:
    ctx = session.graph
    if ctx is None:
        return []
    names: list[str] = []
    for kind in ("implement", "tests", "verify"):
        names.extend(ctx.files.get(task_id(kind, name), []))
    return list(dict.fromkeys(names))


def _component_result(
    session: RunSession, name: str, language: str, test_runs: dict[str, dict[str, Any]]
) -> tuple[ComponentResult, RunGap | None]:
    ctx = session.graph
    run_id = session.journal.run_id
    verify = ctx.results.verify(name) if ctx else None
    review = _review(session, name)
    files = _component_files(session, name)
    if verify is not None:
        detail = verify.detail
        if review is not None:
            detail += (
                f"; {review.detail}" if review.detail else f"; review: {review.findings} finding(s)"
            )
        result = ComponentResult(
            name=name,
            language=language,
            status=verify.status,
            detail=detail,
            repair_rounds=verify.rounds,
            files=files,
            tests_ran=verify.ran,
            tests_passed=verify.passed,
            tests_failed=verify.failed,
            review=review,
        )
        gap = None
        if verify.status == "not_run" and TESTS_DISABLED not in verify.detail:
            gap = RunGap(kind="not_run", subject=name, reason=verify.detail)
        elif verify.status == "failed":
            gap = RunGap(
                kind="failed",
                subject=name,
                reason=f"tests {verify.detail}",
                fix=f"read the failures in the journal, fix the code, or resume: `{resume_command(run_id)}`",
            )
        return result, gap
    for kind in _KINDS[:4]:
        failed = session.outcomes.get(task_id(kind, name))
        if failed is None or failed.status != "failed":
            continue
        if failed.error is not None and is_infrastructure(failed.error):
            reason = f"{kind} not finished: {_infrastructure_detail(failed.error)}"
            fix = _infrastructure_fix(failed.error, run_id)
            last = test_runs.get(name)
            ran = passed = bad = 0
            if last is not None:
                passed = int(last.get("passed") or 0)
                bad = int(last.get("failed") or 0) + int(last.get("errors") or 0)
                ran = passed + bad
            return ComponentResult(
                name=name,
                language=language,
                status="not_run",
                detail=f"not run: {reason}; {fix}",
                files=files,
                tests_ran=ran,
                tests_passed=passed,
                tests_failed=bad,
                review=review,
            ), RunGap(kind="not_run", subject=name, reason=reason, fix=fix)
        reason = f"{kind} failed: {failed.error}"
        return ComponentResult(
            name=name,
            language=language,
            status="error",
            detail=reason,
            files=files,
            review=review,
        ), RunGap(kind="error", subject=name, reason=reason)
    outcome = session.outcomes.get(task_id("verify", name))
    detail = outcome.detail if outcome is not None and outcome.detail else "not started"
    return ComponentResult(
        name=name,
        language=language,
        status="not_run",
        detail=f"not run: {detail}",
        files=files,
        review=review,
    ), RunGap(kind="not_run", subject=name, reason=f"not run: {detail}")


def _design_gaps(session: RunSession) -> list[RunGap]:
    """A fallback design, and languages or a style the spec asked for that the design dropped."""
    record, spec = session.record, session.spec
    if record is None:
        return []
    gaps: list[RunGap] = []
    used = {component.language for component in record.components}
    if session.fallback:
        gaps.append(
            RunGap(
                kind="fallback",
                subject="design",
                reason=session.fallback_reason,
                fix="run with a more capable model (see README: running against a real endpoint)",
            )
        )
        style = spec.architecture.style
        if style:
            gaps.append(
                RunGap(
                    kind="dropped",
                    subject=f"architecture style {style}",
                    reason="the fallback design is a single in-process component",
                )
            )
    if session.fallback or spec.architecture.polyglot:
        for language in spec.project.languages:
            if language not in used:
                why = (
                    "the fallback design uses only the first project language"
                    if session.fallback
                    else "no component of the design uses it"
                )
                gaps.append(RunGap(kind="dropped", subject=f"language {language}", reason=why))
    return gaps


def _failed_step(session: RunSession, components: list[ComponentResult]) -> str:
    """The first task that failed, by start time, and why; the fallback design counts as one."""
    if session.failed_step:
        return session.failed_step
    failed: list[TaskOutcome] = [o for o in session.outcomes.values() if o.status == "failed"]
    if failed:
        first = min(failed, key=lambda outcome: outcome.started)
        return f"{first.id}: {first.error}"
    for item in components:
        if item.status == "failed":
            return f"verify:{item.name}: tests {item.detail}"
    if session.fallback and not session.fallback_chosen:
        return f"architecture: {session.fallback_reason}"
    return ""


def _files(session: RunSession) -> list[str]:
    if session.run is None or session.graph is None:
        return []
    names: list[str] = []
    for files in session.graph.files.values():
        names.extend(files)
    names.extend(session.docs_files)
    writer = session.run.writer
    prefix = writer.root.relative_to(writer.workspace).as_posix()
    unique = dict.fromkeys(n for n in names if (writer.root / n).is_file())
    return [f"{prefix}/{name}" for name in unique]


def _status(session: RunSession, components: list[ComponentResult], gaps: list[RunGap]) -> str:
    if session.status and session.status != "partial":
        return session.status
    bad = [c for c in components if c.status in ("failed", "error")]
    if not components or (bad and len(bad) == len(components)):
        return "failed"
    if gaps or session.status == "partial":
        return "partial"
    return "succeeded"


def summarise(session: RunSession, duration_s: float) -> RunSummary:
    """The contract summary: real counts only, and in words what was and was not proven."""
    test_runs = _last_test_runs(session)
    components: list[ComponentResult] = []
    gaps: list[RunGap] = []
    for component in session.record.components if session.record else []:
        item, gap = _component_result(session, component.name, component.language, test_runs)
        components.append(item)
        if gap is not None:
            gaps.append(gap)
    counts = TestCounts()
    for item in components:
        counts.ran += item.tests_ran
        counts.passed += item.tests_passed
        counts.failed += item.tests_failed
        if item.status == "not_run":
            counts.not_run += 1
    gaps.extend(_design_gaps(session))
    status = _status(session, components, gaps)
    message = session.message or _message(status, components, counts, gaps, session.journal.run_id)
    notes = list(session.notes)
    if session.fallback and session.message:  # otherwise the message's "Not proven" already says it
        notes.append(session.fallback_reason)
    if notes:
        message += " Note: " + "; ".join(notes) + "."
    hits = session.run.backend.hits if session.run else 0
    share = session.accountant.session(cache_hits=hits)
    share.duration_s = round(duration_s, 3)
    total = session.accountant.prior.plus(share)
    files = _files(session)
    return RunSummary(
        run_id=session.journal.run_id,
        status=status,  # type: ignore[arg-type]
        output=session.spec.project.output,
        files=files,
        llm_calls=total.llm_calls,
        cache_hits=total.cache_hits,
        prompt_tokens=total.prompt_tokens,
        completion_tokens=total.completion_tokens,
        cost_usd=round(total.cost_usd, 6) if total.priced else None,
        limits=session.run.limits if session.run else None,
        tests=counts,
        duration_s=total.duration_s,
        components=components,
        message=message,
        gaps=gaps,
        design="none"
        if session.record is None
        else ("fallback" if session.fallback else "architect"),
        usage=RunUsage(total=total, session=share, sessions=session.accountant.prior_sessions + 1),
        failed_step=_failed_step(session, components),
        stale_files=session.run.stale_files(files + session.removed) if session.run else [],
        removed_files=session.removed,
    )


def _message(
    status: str,
    components: list[ComponentResult],
    counts: TestCounts,
    gaps: list[RunGap],
    run_id: str,
) -> str:
    by_status: dict[str, int] = {}
    for item in components:
        by_status[item.status] = by_status.get(item.status, 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    tests = f"tests: {counts.passed} passed, {counts.failed} failed of {counts.ran} run"
    if counts.not_run:
        tests += f", {counts.not_run} component(s) not run"
    text = f"{status}: {len(components)} component(s) ({parts}); {tests}."
    if status == "succeeded":
        if counts.ran:
            return text + " Every component's tests ran and passed."
        return text + " Test execution was switched off, so nothing was tested."
    if gaps:
        text += " Not proven: " + "; ".join(f"{g.subject}: {g.reason}" for g in gaps) + "."
    fixes = list(dict.fromkeys(g.fix for g in gaps if g.kind == "not_run" and g.fix))
    if fixes:
        text += " To finish: " + "; or ".join(fixes) + "."
    return text


def manifest(session: RunSession, summary: RunSummary) -> dict[str, Any]:
    """What ``manifest.json`` records: spec, architecture, files, tests, usage, timings."""
    hits = session.run.backend.hits if session.run else 0
    return {
        "status": summary.status,
        "message": summary.message,
        "spec": session.spec.model_dump(mode="json"),
        "architecture": session.record.model_dump() if session.record else None,
        "files": summary.files,
        "tests": summary.tests.model_dump(),
        "components": [c.model_dump() for c in summary.components],
        "usage": session.accountant.snapshot(cache_hits=hits),
        "gaps": [gap.model_dump() for gap in summary.gaps],
        "design": summary.design,
        "removed_files": summary.removed_files,
        "stale_files": summary.stale_files,
        "llm_calls": summary.llm_calls,
        "cache_hits": summary.cache_hits,
        "timings": session.timings,
        "refused_paths": session.graph.refused if session.graph else [],
        "summary": summary.model_dump(mode="json"),
    }
