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
    concurrency: int | None = None
    resume: str | None = None
    """Run id to resume."""
    cli_settings: dict[str, object] = Field(default_factory=dict)
    """Overrides from CLI flags or editor settings (backend, model, base_url...)."""


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


class RunSummary(BaseModel):
    """The contract summary of one run (``generate --json``)."""

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


class ProgressEvent(BaseModel):
    """A progress update for terminals and LSP work-done progress."""

    run_id: str
    stage: str
    message: str
    done: int
    total: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def percentage(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


ProgressCallback = Callable[[ProgressEvent], None]
