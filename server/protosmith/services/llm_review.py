"""Grounded LLM review: turn the review agent's claims into findings only when they check out.

A claim survives only if its path is one of the reviewed files, its lines exist, and its quote
(when given) appears on those lines. Static findings the model dismisses stay in the results,
marked with the reason, so triage never hides anything silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from protosmith.agents.review import Claim, ReviewInput, ReviewReply, run_review_agent
from protosmith.analysis import llm_rules
from protosmith.analysis.findings import Category, Evidence, Finding, Fix, Range, Severity
from protosmith.context.secrets import filter_for_remote
from protosmith.llm.base import Backend
from protosmith.spec.model import Spec

_KIND_TO_RULE = {
    "architecture": (llm_rules.ARCHITECTURE, Category.QUALITY),
    "quality": (llm_rules.QUALITY, Category.QUALITY),
    "test_coverage": (llm_rules.TEST_COVERAGE, Category.QUALITY),
    "security": (llm_rules.SECURITY, Category.SECURITY),
    "performance": (llm_rules.PERFORMANCE, Category.PERFORMANCE),
}
_SPACE = re.compile(r"\s+")


class LLMReviewOutcome(BaseModel):
    """Grounded findings, dismissals of static findings (by index), and what was dropped."""

    findings: list[Finding] = Field(default_factory=list)
    dismissed: dict[int, str] = Field(default_factory=dict)
    dropped_claims: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def _numbered(text: str) -> str:
    return "\n".join(f"{n:>4}| {line}" for n, line in enumerate(text.splitlines(), 1))


def _normalize(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def verify_citation(claim: Claim, sources: Mapping[str, str]) -> str | None:
    """Return why the claim is ungrounded, or None when its citation holds."""
    text = sources.get(claim.path)
    if text is None:
        return f"cites unknown file {claim.path!r}"
    lines = text.splitlines()
    if claim.line_start > claim.line_end or claim.line_end > len(lines):
        return f"cites lines {claim.line_start}-{claim.line_end} but {claim.path} has {len(lines)}"
    if claim.quote.strip():
        cited = _normalize(" ".join(lines[claim.line_start - 1 : claim.line_end]))
        if _normalize(claim.quote) not in cited:
            return f"quote {claim.quote[:60]!r} is not on lines {claim.line_start}-{claim.line_end}"
    return None


def _claim_finding(claim: Claim, root: Path) -> Finding:
    code, category = _KIND_TO_RULE[claim.kind]
    return Finding(
        code=code,
        category=category,
        severity=Severity(claim.severity),
        message=claim.message,
        path=str(root / claim.path),
        range=Range.lines(claim.line_start - 1, claim.line_end - 1),
        evidence=Evidence(
            source="llm",
            detail=f"cited lines {claim.line_start}-{claim.line_end}",
            cited_lines=list(range(claim.line_start, claim.line_end + 1)),
        ),
        confidence=0.5,
        fix=Fix(title="Refine with the LLM", instruction=claim.fix_instruction)
        if claim.fix_instruction
        else None,
    )


def _trace_findings(
    reply: ReviewReply,
    criteria: list[tuple[str, str]],
    sources: Mapping[str, str],
    spec_path: Path | None,
    spec_text: str,
) -> list[Finding]:
    def cited(path: str, line: int) -> bool:
        text = sources.get(path)
        return text is not None and 1 <= line <= len(text.splitlines())

    traced = {(t.scenario, t.criterion): t for t in reply.traces}
    findings = []
    for scenario, criterion in criteria:
        trace = traced.get((scenario, criterion))
        in_code = trace is not None and cited(trace.code_path, trace.code_line)
        in_test = trace is not None and cited(trace.test_path, trace.test_line)
        if in_code and in_test:
            continue
        code = llm_rules.CRITERION_WITHOUT_TEST if in_code else llm_rules.UNTRACED_CRITERION
        what = "has no test" if in_code else "is not traced to any reviewed code"
        line = _line_of(spec_text, criterion)
        findings.append(
            Finding(
                code=code,
                category=Category.REQUIREMENT,
                severity=Severity.MINOR if in_code else Severity.MAJOR,
                message=f"Scenario {scenario!r}: acceptance criterion {criterion!r} {what}",
                path=str(spec_path) if spec_path else "protosmith.toml",
                range=Range.lines(line),
                evidence=Evidence(source="llm", detail="no valid citation for the criterion"),
                confidence=0.5,
            )
        )
    return findings


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines()):
        if needle in line:
            return number
    return 0


def _batches(files: Mapping[str, str], budget_chars: int) -> list[dict[str, str]]:
    batches: list[dict[str, str]] = [{}]
    used = 0
    for path, text in files.items():
        if used and used + len(text) > budget_chars:
            batches.append({})
            used = 0
        batches[-1][path] = text
        used += len(text)
    return [batch for batch in batches if batch]


async def llm_review(
    files: Mapping[Path, str],
    *,
    root: Path,
    backend: Backend,
    static_findings: Sequence[Finding] = (),
    spec: Spec | None = None,
    spec_path: Path | None = None,
    architecture: str = "",
) -> LLMReviewOutcome:
    """Review ``files`` (absolute path → text) with the LLM; keep only grounded claims."""
    outcome = LLMReviewOutcome()
    relative = {
        str(path.relative_to(root)) if path.is_absolute() else str(path): text
        for path, text in files.items()
    }
    capabilities = backend.capabilities
    if capabilities.device.kind == "remote":  # secret files stay home; secrets in code are masked
        relative, withheld = filter_for_remote(relative)
        outcome.notes += [f"{p}: not sent to the LLM (secret-file deny list)" for p in withheld]
    # Roughly 3 characters per token leaves room for instructions and the reply.
    budget_chars = max(2000, (capabilities.context_window - 3000) * 3)
    fitting = {p: t for p, t in relative.items() if len(t) <= budget_chars}
    for path in sorted(set(relative) - set(fitting)):
        outcome.notes.append(f"{path}: not LLM-reviewed, larger than the model's context")
    criteria = [(s.name, c) for s in spec.scenarios for c in s.acceptance] if spec else []
    static_lines = [
        f"{Path(f.path).name}:{f.range.start.line + 1} {f.code} {f.message}"
        for f in static_findings
    ]
    merged = ReviewReply()
    for batch in _batches(fitting, budget_chars):
        result = await run_review_agent(
            backend,
            ReviewInput(
                files={p: _numbered(t) for p, t in batch.items()},
                static_findings=static_lines,
                criteria=criteria,
                architecture=architecture,
            ),
        )
        merged.claims += result.value.claims
        merged.triage += result.value.triage
        merged.traces += result.value.traces
    for claim in merged.claims:
        problem = verify_citation(claim, fitting)
        if problem is None:
            outcome.findings.append(_claim_finding(claim, root))
        else:
            outcome.dropped_claims.append(f"{claim.path}: {claim.message[:80]} ({problem})")
    for decision in merged.triage:
        if decision.verdict == "dismiss" and decision.index < len(static_findings):
            outcome.dismissed[decision.index] = decision.reason or "dismissed by LLM triage"
    if criteria:
        spec_text = (
            spec_path.read_text(encoding="utf-8") if spec_path and spec_path.is_file() else ""
        )
        outcome.findings += _trace_findings(merged, criteria, fitting, spec_path, spec_text)
    if outcome.dropped_claims:
        outcome.notes.append(f"dropped {len(outcome.dropped_claims)} ungrounded LLM claim(s)")
    return outcome
