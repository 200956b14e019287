"""The state of one generation, in three parts, each built complete when what it holds exists.

A :class:`RunSession` exists from the first journal event (what was asked, what happened so
far); a :class:`GenerationRun` once the backend, the writer and the limits are ready; a
:class:`RunContext` once the architecture is designed. No stage checks whether a backend or
the limits were set yet: a stage that needs them receives the part that has them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protosmith.agents.brief import ComponentBrief
from protosmith.agents.models import ArchitectureRecord
from protosmith.context.manager import ContextManager
from protosmith.execution.api import TestRunResult, TestView
from protosmith.llm.limits import EffectiveLimits
from protosmith.pipeline.api import GenerateOptions
from protosmith.pipeline.budget import Accountant
from protosmith.pipeline.cache import CachingBackend
from protosmith.pipeline.journal import Journal
from protosmith.pipeline.keys import input_key
from protosmith.pipeline.layout import Layout
from protosmith.pipeline.results import Results
from protosmith.pipeline.scheduler import TaskOutcome
from protosmith.pipeline.tracker import ProgressTracker
from protosmith.pipeline.writer import SafeWriter, UnsafePathError
from protosmith.settings import Settings
from protosmith.spec.model import Spec

TestRunner = Callable[[Path, str, TestView | None], Awaitable[TestRunResult]]
"""Runs the tests of the project tree at a root, in a language, seen through a view."""
RETRY_RESERVE_TOKENS = 1200
"""Room kept in each prompt for the failed reply and the error a structured retry appends."""
_NOT_GENERATED = frozenset({"__pycache__", ".pytest_cache", "node_modules", ".mypy_cache"})
"""Folders test runs and tools leave in the output; never listed as stale files."""


@dataclass
class RunSession:
    """One session of a generation: what it was asked, and what happened (the summary's input)."""

    spec: Spec
    settings: Settings
    options: GenerateOptions
    journal: Journal
    accountant: Accountant
    tracker: ProgressTracker
    run_tests: bool = True
    review: bool = True
    status: str = ""
    message: str = ""
    outcomes: dict[str, TaskOutcome] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    docs_files: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    fallback_reason: str = ""
    """Why the fallback design was used; empty when the architecture agent designed it."""
    fallback_chosen: bool = False
    """The fallback was chosen up front (a model too small to design), not left by a failure."""
    removed: list[str] = field(default_factory=list)
    started_work: bool = True
    failed_step: str = ""
    """What stopped the session before any task ran (``backend: ...``), when something did."""
    run: GenerationRun | None = None
    """The started run; None when the session stopped before its backend was ready."""

    @property
    def reuse(self) -> bool:
        """Reuse saved task results: a resume does, a ``--redo`` does not."""
        return bool(self.options.resume) and not self.options.redo

    @property
    def fallback(self) -> bool:
        return bool(self.fallback_reason)

    @property
    def record(self) -> ArchitectureRecord | None:
        return self.run.record if self.run else None

    @property
    def graph(self) -> RunContext | None:
        return self.run.graph if self.run else None


@dataclass
class GenerationRun:
    """A session whose backend (cached, budgeted), writer and limits are ready."""

    session: RunSession
    backend: CachingBackend
    writer: SafeWriter
    limits: EffectiveLimits
    """Context window, completion limit and prompt budget in effect, with their sources."""
    runner: TestRunner | None
    runner_missing: str
    """Why there is no runner (test execution disabled), when there is none."""
    record: ArchitectureRecord | None = None
    """The design, once the architecture stage produced one."""
    graph: RunContext | None = None
    """The graph tasks' shared context, once the design's tasks are planned."""

    @property
    def spec(self) -> Spec:
        return self.session.spec

    @property
    def journal(self) -> Journal:
        return self.session.journal

    @property
    def reuse(self) -> bool:
        return self.session.reuse

    @property
    def review(self) -> bool:
        """Run the review hook (tests of the pipeline switch it off for speed)."""
        return self.session.review

    @property
    def max_tokens(self) -> int:
        """The completion limit every request carries."""
        return self.limits.max_tokens

    def retries(self, stage: str = "task") -> int:
        """Structured retries per call: fewer for in-process models, where a retry costs minutes
        and a small model rarely fixes its reply; the architecture keeps one, as it matters most.
        """
        if self.backend.capabilities.backend != "local":
            return 2
        return 1 if stage == "architecture" else 0

    @property
    def fingerprint(self) -> str:
        """Backend, model and limits: part of every key, so a model change re-runs everything."""
        caps = self.backend.capabilities
        if caps.seed is not None:  # another seed is another run of the model: nothing reused
            return input_key(caps.backend, caps.model, self.max_tokens, caps.seed)
        return input_key(caps.backend, caps.model, self.max_tokens)

    def context_manager(self) -> ContextManager:
        """Prompts are planned within the budget the limits leave (never a floor below it)."""
        budget = self.limits.prompt_budget
        reserve = min(RETRY_RESERVE_TOKENS, budget // 4)
        return ContextManager(self.backend.capabilities.token_counter, budget - reserve)

    def remove_superseded(self) -> list[str]:
        """Delete files an earlier session of this run wrote that the current design lacks.

        Only files this run id recorded as written (earlier manifests and saved task results)
        are removed; anything else under the output folder is listed as stale, never deleted.
        """
        if self.graph is None or self.session.status in ("cancelled", "budget_exceeded"):
            return []
        current = {name for files in self.graph.files.values() for name in files}
        current.update(self.session.docs_files)
        earlier: set[str] = set()
        for task in self.journal.finished_tasks():
            saved = self.journal.load_task(task)
            if saved is not None:
                earlier.update(str(name) for name in saved.get("files", []))
        previous = self.journal.manifest() or {}
        prefix = self.writer.root.relative_to(self.writer.workspace).as_posix() + "/"
        earlier.update(str(name).removeprefix(prefix) for name in previous.get("files", []) or [])
        removed = []
        for relative in sorted(earlier - current):
            try:
                path = self.writer.resolve(relative)
            except UnsafePathError:
                continue
            if path.is_file():
                path.unlink()
                removed.append(prefix + relative)
                self.journal.event(
                    "file_removed", path=relative, reason="not in the current design"
                )
        return removed

    def stale_files(self, written: list[str]) -> list[str]:
        """Files under the output folder that this run did not write (an earlier run's)."""
        root, workspace = self.writer.root, self.writer.workspace
        keep = set(written)
        found = []
        for path in sorted(root.rglob("*")):
            parts = path.relative_to(root).parts
            if any(part in _NOT_GENERATED for part in parts) or not path.is_file():
                continue
            name = path.relative_to(workspace).as_posix()
            if name not in keep:
                found.append(name)
        return found


@dataclass
class RunContext:
    """What every graph task of one run shares: the run, its design, and the results so far."""

    run: GenerationRun
    record: ArchitectureRecord
    layout: Layout
    """Where each component lives and how it imports its siblings."""
    briefs: dict[str, ComponentBrief]
    context: ContextManager
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Polyglot runs: component to its OpenAPI contract (empty otherwise)."""
    results: Results = field(default_factory=Results)
    files: dict[str, list[str]] = field(default_factory=dict)
    """Task id to the files it wrote (relative to the output folder)."""
    refused: list[dict[str, str]] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """Task id to its input key (the accepted-state store is keyed by them)."""

    def brief(self, name: str) -> ComponentBrief:
        return self.briefs[name]
