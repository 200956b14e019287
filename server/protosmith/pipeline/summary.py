"""The run summary: what ``generate --json`` prints, built from real outcomes only.

Test counts come from test runs that happened; a component whose tests could not run is
counted as not run with the reason, never as passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from protosmith.pipeline import tasks as graph_tasks
from protosmith.pipeline.api import ComponentResult, RunSummary, TestCounts

if TYPE_CHECKING:
    from protosmith.pipeline.service import GenerationRun


def _component_result(run: GenerationRun, name: str, language: str) -> ComponentResult:
    outcome = run.outcomes.get(graph_tasks.task_id("verify", name))
    ctx = run.ctx
    verify = ctx.results.get(graph_tasks.task_id("verify", name)) if ctx else None
    if verify is not None:
        detail = verify["detail"]
        review = ctx.results.get(graph_tasks.task_id("review", name)) if ctx else None
        if review is not None:
            found = review.get("findings")
            detail += f"; review: {found['total']} finding(s)" if found else f"; {review['detail']}"
        return ComponentResult(
            name=name,
            language=language,
            status=verify["status"],
            detail=detail,
            repair_rounds=verify["rounds"],
        )
    for kind in ("interface", "implement", "tests", "verify"):
        failed = run.outcomes.get(graph_tasks.task_id(kind, name))
        if failed is not None and failed.status == "failed":
            return ComponentResult(
                name=name,
                language=language,
                status="error",
                detail=f"{kind} failed: {failed.error}",
            )
    detail = outcome.detail if outcome is not None else "not started"
    return ComponentResult(
        name=name, language=language, status="not_run", detail=f"not run: {detail}"
    )


def _files(run: GenerationRun) -> list[str]:
    if run.ctx is None or run.writer is None:
        return []
    names: list[str] = []
    for files in run.ctx.files.values():
        names.extend(files)
    names.extend(run.docs_files)
    prefix = run.writer.root.relative_to(run.writer.workspace).as_posix()
    unique = dict.fromkeys(n for n in names if (run.writer.root / n).is_file())
    return [f"{prefix}/{name}" for name in unique]


def summarise(run: GenerationRun, duration_s: float) -> RunSummary:
    """The contract summary: real counts only, one sentence of what happened."""
    components = (
        [_component_result(run, c.name, c.language) for c in run.record.components]
        if run.record
        else []
    )
    counts = TestCounts()
    for item, component in zip(
        components, run.record.components if run.record else [], strict=False
    ):
        verify = (
            run.ctx.results.get(graph_tasks.task_id("verify", component.name)) if run.ctx else None
        )
        if verify is not None and verify["status"] != "not_run":
            counts.ran += verify["ran"]
            counts.passed += verify["passed"]
            counts.failed += verify["failed"]
        elif item.status != "error":
            counts.not_run += 1
    status = run.status
    if not status:
        bad = [c for c in components if c.status in ("failed", "error")]
        status = (
            "succeeded" if not bad else ("failed" if len(bad) == len(components) else "partial")
        )
    message = run.message or _message(status, components, counts)
    if run.notes:
        message += " Note: " + "; ".join(run.notes) + "."
    caching = run.caching
    total = run.accountant.total
    return RunSummary(
        run_id=run.journal.run_id,
        status=status,  # type: ignore[arg-type]
        output=run.spec.project.output,
        files=_files(run),
        llm_calls=caching.calls if caching else 0,
        cache_hits=caching.hits if caching else 0,
        prompt_tokens=total.prompt_tokens,
        completion_tokens=total.completion_tokens,
        cost_usd=round(total.cost_usd, 6) if total.priced else None,
        limits=run.limits,
        tests=counts,
        duration_s=round(duration_s, 3),
        components=components,
        message=message,
    )


def _message(status: str, components: list[ComponentResult], counts: TestCounts) -> str:
    by_status: dict[str, int] = {}
    for item in components:
        by_status[item.status] = by_status.get(item.status, 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
    tests = f"tests: {counts.passed} passed, {counts.failed} failed of {counts.ran} run"
    if counts.not_run:
        tests += f", {counts.not_run} component(s) not run"
    return f"{status}: {len(components)} component(s) ({parts}); {tests}."
