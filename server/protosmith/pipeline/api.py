"""The pipeline's public shapes, shared by the CLI and the language server.

``protosmith.pipeline.service.generate`` takes :class:`GenerateOptions` and returns a
:class:`RunSummary` (the object ``generate --json`` prints and ``protosmith.generate`` resolves
with). Cancellation is asyncio task cancellation; progress is a plain callback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from protosmith.llm.limits import EffectiveLimits


class GenerateOptions(BaseModel):
    """What to generate and how."""

    spec_path: Path
    workspace: Path
    """Root the output folder must stay inside (defaults to the spec's folder)."""
    concurrency: int | None = Field(default=None, ge=1)
    """Tasks in flight at once; at least 1 (``None``: the backend's capacity)."""
    resume: str | None = None
    """Run id to resume."""
    redo: bool = False
    """With ``resume``: run a run that already succeeded again (otherwise there is nothing to do)."""
    cli_settings: dict[str, object] = Field(default_factory=dict)
    """Overrides from CLI flags (backend, model, base_url...): they outrank every other source."""
    editor_settings: dict[str, object] = Field(default_factory=dict)
    """What the editor set for the folder: ranked as editor settings, below the spec's ``[llm]``
    table and the environment (the child resolves them, so the server never needs to)."""


class TestCounts(BaseModel):
    """Generated tests, counted only when they actually ran."""

    ran: int = 0
    passed: int = 0
    failed: int = 0
    not_run: int = 0
    """Components whose tests could not run (toolchain missing, not executed)."""


class ComponentResult(BaseModel):
    """Per-component outcome for the run summary."""

    name: str
    language: str
    status: Literal["passed", "failed", "not_run", "generated", "error"]
    detail: str = ""
    repair_rounds: int = 0
    files: list[str] = Field(default_factory=list)
    """The component's files, relative to the output folder."""
    tests_ran: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    review: ReviewResult | None = None


class UsageShare(BaseModel):
    """Usage over some span of a run: every session, or only the current one."""

    llm_calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    """Dollars of the priced calls; see ``priced``."""
    priced: bool = True
    """False when some call used a model without a known price, so the cost is unknown."""
    duration_s: float = 0.0
    """Wall-clock seconds the span's sessions ran."""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def plus(self, other: UsageShare) -> UsageShare:
        """The sum of two spans (a ledger is the previous sessions plus this one)."""
        return UsageShare(
            llm_calls=self.llm_calls + other.llm_calls,
            cache_hits=self.cache_hits + other.cache_hits,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=round(self.cost_usd + other.cost_usd, 6),
            priced=self.priced and other.priced,
            duration_s=round(self.duration_s + other.duration_s, 3),
        )


class RunUsage(BaseModel):
    """The run's ledger: one total across every session (resumes included) and this session's share.

    The flat ``llm_calls``, ``prompt_tokens``, ... of :class:`RunSummary` repeat ``total``.
    """

    total: UsageShare = Field(default_factory=UsageShare)
    session: UsageShare = Field(default_factory=UsageShare)
    sessions: int = 1
    """How many sessions (the first run plus each resume) the run has had."""


GapKind = Literal["not_run", "failed", "error", "dropped", "fallback", "stale"]


class RunGap(BaseModel):
    """Something the run did not prove, in words: why a run is not "succeeded"."""

    kind: GapKind
    subject: str
    """The component, language or file concerned (``design`` for the architecture)."""
    reason: str
    fix: str = ""
    """What the user can do about it, when there is something (a command, a setting)."""


class ReviewResult(BaseModel):
    """What the review of one component found and what the automatic fixing did."""

    findings: int = 0
    by_severity: dict[str, int] = Field(default_factory=dict)
    fixed: int = 0
    not_fixed: int = 0
    detail: str = ""
    """Why there is no review (disabled, not reached), when there is none."""


class RunSummary(BaseModel):
    """The contract summary of one run (``generate --json``).

    ``status`` is ``succeeded`` only when every component's tests ran and passed (or the caller
    asked for no test execution) and the design is the architect's; otherwise ``gaps`` lists,
    with reasons, what was not run, failed, was dropped or came from the fallback design.
    Usage fields are the run's totals across sessions; ``usage.session`` is this session's share.
    """

    run_id: str
    status: Literal["succeeded", "partial", "failed", "cancelled", "budget_exceeded"]
    output: str = ""
    files: list[str] = Field(default_factory=list)
    llm_calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    """Dollars spent; null when unknown (a model without a known price at this endpoint)."""
    limits: EffectiveLimits | None = None
    """Context window, completion limit and prompt budget the run used, with their sources."""
    tests: TestCounts = Field(default_factory=TestCounts)
    duration_s: float = 0.0
    components: list[ComponentResult] = Field(default_factory=list)
    message: str = ""
    """One human sentence: what happened, and how to resume when it did not finish."""
    gaps: list[RunGap] = Field(default_factory=list)
    design: Literal["architect", "fallback", "none"] = "none"
    """Who designed the components: the architecture agent, or the deterministic fallback."""
    usage: RunUsage = Field(default_factory=RunUsage)
    failed_step: str = ""
    """The first task that failed (e.g. ``tests:hello``) and why, when one did."""
    stale_files: list[str] = Field(default_factory=list)
    """Files under the output folder that this run did not write (an earlier design's)."""
    removed_files: list[str] = Field(default_factory=list)
    """Files an earlier session of this run wrote that the current design no longer has."""


class ProgressEvent(BaseModel):
    """A progress update for terminals and LSP work-done progress."""

    run_id: str
    stage: str
    message: str
    done: int
    total: int
    """Tasks in the run; 0 while unknown (before the architecture is designed)."""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def percentage(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


ProgressCallback = Callable[[ProgressEvent], None]
