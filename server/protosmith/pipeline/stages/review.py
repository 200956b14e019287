"""The ``review`` task: a component's folder reviewed, and its critical findings fixed."""

from __future__ import annotations

from collections import Counter

from protosmith.pipeline import run_findings
from protosmith.pipeline.remediate import remediate
from protosmith.pipeline.results import ReviewOutcome
from protosmith.pipeline.run import RunContext


async def review(ctx: RunContext, name: str) -> tuple[ReviewOutcome, list[str]]:
    """The review hook: static review of the component's folder, recording finding counts."""
    run = ctx.run
    if not run.review:
        run.journal.event("review_unavailable", component=name, reason="review disabled")
        return ReviewOutcome(available=False, detail="review disabled"), []
    from protosmith.analysis.review import ReviewResult
    from protosmith.services.review import review as static_review

    folder = run.writer.root / ctx.layout.folder(name)
    outcome = await static_review([folder], root=run.writer.workspace, backend=None, spec=run.spec)
    findings = [finding for finding in outcome.findings if finding.active]
    run_findings.record(
        run.journal, f"review-{name}", ReviewResult(findings=findings, files=outcome.files)
    )
    severities = Counter(str(finding.severity) for finding in findings)
    counts = {"total": len(findings), **dict(severities)}
    run.journal.event("review", component=name, findings=counts)
    remediations = await remediate(
        findings,
        writer=run.writer,
        backend=run.backend,
        component_root=folder,
        max_tokens=run.max_tokens,
        journal=run.journal,
        component=name,
    )
    for entry in remediations:
        run.journal.event("remediation", component=name, **entry)
    return ReviewOutcome(available=True, findings=counts, remediations=remediations), []
