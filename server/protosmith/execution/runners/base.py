"""What every language runner provides, and the shared way a run's outcome becomes a result.

A runner says how to install dependencies (network allowed, caches writable), which command
runs the tests (no network), and how to read the results. ``interpret`` turns parsed cases plus
the exit status into a TestRunResult without ever inventing a pass: no cases and a non-zero exit
is a build error, no cases and exit 0 is not_run, and a non-zero exit with only passing cases is
an error too (something else failed, e.g. one package did not compile).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from protosmith.execution.api import TestCase, TestRunResult
from protosmith.execution.sandbox import Limits, SandboxResult

REPORT_STEM = ".protosmith-report"
OUTPUT_CHARS = 20000


def cache_root() -> Path:
    """protosmith's own cache folder ($XDG_CACHE_HOME/protosmith or ~/.cache/protosmith)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "protosmith"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class RunContext:
    """One test run: the copy being tested, where tools are found, caches, time limits."""

    root: Path
    """The temporary copy of the project."""
    language: str
    path_env: str
    timeout_s: float
    install_timeout_s: float
    cache: Path = field(default_factory=cache_root)
    select: list[str] = field(default_factory=list)
    """Test paths to run (relative to ``root``); empty runs every test the tool finds."""


@dataclass
class Step:
    """One sandboxed command of a phase."""

    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    writable: list[Path] = field(default_factory=list)
    cwd: Path | None = None


def combined_output(result: SandboxResult) -> str:
    """stdout then stderr, each already head+tail truncated by the sandbox."""
    parts = [part for part in (result.stdout.strip(), result.stderr.strip()) if part]
    text = "\n".join(parts)
    if len(text) > OUTPUT_CHARS:
        text = (
            text[: OUTPUT_CHARS // 3]
            + "\n... [output truncated] ...\n"
            + text[-2 * OUTPUT_CHARS // 3 :]
        )
    return text


def tail_lines(text: str, count: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


class Runner(ABC):
    """A language's test runner."""

    language: str = ""
    limits: Limits = Limits()
    no_tests_exit_codes: tuple[int, ...] = ()
    """Exit statuses that mean "no tests collected" when no cases were parsed."""

    def env(self, ctx: RunContext) -> dict[str, str]:
        """Runner-specific variables for both phases (cache locations, colour off...)."""
        return {}

    def unavailable(self, ctx: RunContext) -> str | None:
        """A not_run reason beyond a missing tool (e.g. TypeScript on an old node)."""
        return None

    async def prepare(self, ctx: RunContext) -> list[Step]:
        """Install-phase steps (network allowed); may also set up caches outside the sandbox."""
        return []

    async def fallback_install(self, ctx: RunContext) -> list[Step]:
        """Install steps to try only when the offline test run said dependencies are missing."""
        return []

    async def installed(self, ctx: RunContext) -> None:
        """Called after every install step succeeded (e.g. to mark a cached venv ready)."""
        return None

    def command(self, ctx: RunContext, argv: list[str]) -> list[str]:
        """``argv`` with the language's interpreter resolved the way the tests run it."""
        return argv

    @abstractmethod
    def test_step(self, ctx: RunContext) -> Step:
        """The test-phase command (no network)."""

    @abstractmethod
    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        """Cases found, and a build-error text when the output shows one ('' otherwise)."""

    def not_run_reason(self, ctx: RunContext, output: str) -> str | None:
        """Recognise output that means "could not run" rather than "failed" (e.g. offline deps)."""
        return None

    def interpret(self, ctx: RunContext, step: Step, result: SandboxResult) -> TestRunResult:
        """Parsed cases + exit status -> result; see the module docstring for the rules."""
        cases, build_error = self.parse(ctx, result)
        output = combined_output(result)
        counts = {
            outcome: sum(1 for case in cases if case.outcome == outcome)
            for outcome in ("passed", "failed", "error", "skipped")
        }
        base = TestRunResult(
            language=ctx.language,
            status="error",
            command=step.cmd,
            passed=counts["passed"],
            failed=counts["failed"],
            errors=counts["error"],
            skipped=counts["skipped"],
            cases=cases,
            output=output,
            duration_s=result.duration_s,
            timed_out=result.timed_out,
        )
        if result.timed_out:
            base.reason = f"test run timed out after {ctx.timeout_s:g}s and was killed"
            return base
        if result.returncode is None:
            base.reason = tail_lines(result.stderr) or "the test command could not start"
            return base
        not_run = self.not_run_reason(ctx, output)
        if not_run and not cases:
            base.status = "not_run"
            base.reason = not_run
            return base
        if build_error:
            base.reason = build_error
            return base
        if not cases and result.returncode in self.no_tests_exit_codes:
            base.status = "not_run"
            base.reason = "no tests were found"
            return base
        if base.failed or base.errors:
            base.status = "failed"
            return base
        if result.returncode != 0:
            base.reason = (
                f"the test command exited with status {result.returncode}"
                + (" although every reported test passed" if cases else "")
                + ":\n"
                + tail_lines(output)
            )
            return base
        if not base.ran:
            base.status = "not_run"
            base.reason = "no tests were found"
            return base
        base.status = "passed"
        return base
