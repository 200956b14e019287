"""Shapes of test-run results, shared by the pipeline (repair loop), review (PS5xx) and reports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TestView(BaseModel):
    """Which part of a project tree one test run sees, where it runs, and what it selects.

    A component inside a project tree imports its siblings, so its test copy holds the
    component and the components it imports (``include``), laid out as in the tree.
    """

    include: list[str] = Field(default_factory=list)
    """Paths relative to the project root to copy; empty copies everything."""
    workdir: str = ""
    """Where the tests run, relative to the copy's root ('' is the root)."""
    select: list[str] = Field(default_factory=list)
    """Test paths handed to the test command (relative to ``workdir``); empty runs all."""


class TestCase(BaseModel):
    """One test as the runner reported it."""

    name: str
    outcome: Literal["passed", "failed", "error", "skipped"]
    file: str | None = None
    line: int | None = None
    message: str = ""


class TestRunResult(BaseModel):
    """What happened when a component's tests were run; never claims a test that did not run."""

    language: str
    status: Literal["passed", "failed", "error", "not_run"]
    """not_run: toolchain missing or nothing to run; error: build/collection failed."""
    reason: str = ""
    """Why not_run or error; includes the install hint for a missing toolchain."""
    command: list[str] = Field(default_factory=list)
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    cases: list[TestCase] = Field(default_factory=list)
    output: str = ""
    """Captured output, truncated sensibly (head and tail kept)."""
    duration_s: float = 0.0
    timed_out: bool = False

    @property
    def ran(self) -> int:
        return self.passed + self.failed + self.errors
