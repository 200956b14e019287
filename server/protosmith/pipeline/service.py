"""``generate``: spec in, prototype and run summary out. The CLI and the language server call this.

Stages: architecture (one call, resumable, with a deterministic fallback for models that
cannot design), the per-component task graph (run concurrently within the backend's real
capacity), then documentation (always, from whatever was built). Every call goes through the
content cache and the budget; every write through the safe writer; everything is journaled.
Cancellation and a spent budget end the run cleanly with a resume hint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from protosmith.agents import architecture
from protosmith.agents.models import ArchitectureRecord
from protosmith.context.manager import ContextManager, ContextOverflow
from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError, StructuredOutputError
from protosmith.pipeline import integration
from protosmith.pipeline import tasks as graph_tasks
from protosmith.pipeline.api import GenerateOptions, ProgressCallback, ProgressEvent, RunSummary
from protosmith.pipeline.budget import Accountant, BudgetExceeded
from protosmith.pipeline.cache import CachingBackend
from protosmith.pipeline.journal import Journal, state_dir
from protosmith.pipeline.repair import default_runner
from protosmith.pipeline.scheduler import Task, TaskOutcome, effective_concurrency, run_graph
from protosmith.pipeline.summary import summarise
from protosmith.pipeline.writer import SafeWriter
from protosmith.settings import Settings, resolve_settings
from protosmith.spec.model import Spec

log = logging.getLogger(__name__)
RETRY_RESERVE_TOKENS = 1200
"""Room kept in each prompt for the failed reply and the error a structured retry appends."""


class SpecInvalid(Exception):
    """The spec does not validate; ``problems`` are check-style lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def load(path: Path) -> Spec:
    """The validated spec, or :class:`SpecInvalid` with ``PATH:LINE:COL: CODE`` lines."""
    try:
        from protosmith.spec.loader import load_spec
    except ImportError:
        try:
            return Spec.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as error:
            raise SpecInvalid([f"{path}: {error}"]) from error
    result = load_spec(path)
    if not result.ok or result.spec is None:
        raise SpecInvalid([problem.format() for problem in result.problems] or [f"{path}: invalid"])
    return result.spec


class _Progress:
    """Counts finished tasks and forwards progress events with the running token totals."""

    def __init__(self, run_id: str, callback: ProgressCallback | None, accountant: Accountant):
        self.run_id, self.callback, self.accountant = run_id, callback, accountant
        self.done, self.total = 0, 2

    def emit(self, stage: str, message: str) -> None:
        if self.callback is None:
            return
        total = self.accountant.total
        self.callback(
            ProgressEvent(
                run_id=self.run_id,
                stage=stage,
                message=message,
                done=self.done,
                total=self.total,
                prompt_tokens=total.prompt_tokens,
                completion_tokens=total.completion_tokens,
                cost_usd=total.cost_usd,
            )
        )


def _settings(spec: Spec, options: GenerateOptions) -> Settings:
    spec_llm = spec.llm.model_dump(exclude_none=True)
    settings, problems = resolve_settings(cli=options.cli_settings, spec_llm=spec_llm)
    for problem in problems:
        log.warning("%s", problem)
    return settings


async def generate(
    options: GenerateOptions,
    *,
    backend: Backend | None = None,
    progress: ProgressCallback | None = None,
    run_tests: bool = True,
    review: bool = True,
) -> RunSummary:
    """Run the whole pipeline for ``options.spec_path``; cancel the task to stop it.

    ``run_tests=False`` skips executing generated tests (reported as not run, never passed);
    ``review=False`` skips the per-component review hook (journaled as disabled).
    """
    started = time.monotonic()
    try:
        spec = load(options.spec_path)
    except SpecInvalid as error:
        return RunSummary(
            run_id="", status="failed", message="invalid spec: " + "; ".join(error.problems)
        )
    settings = _settings(spec, options)
    workspace = Path(options.workspace).resolve()
    if options.resume:
        try:
            journal = Journal.open(workspace, options.resume, api_key_env=settings.api_key_env)
        except FileNotFoundError as error:
            return RunSummary(run_id=options.resume, status="failed", message=str(error))
    else:
        journal = Journal.create(workspace, api_key_env=settings.api_key_env)
    accountant = Accountant(spec.budget, run_id=journal.run_id)
    tracker = _Progress(journal.run_id, progress, accountant)
    journal.event(
        "run_started",
        spec=str(options.spec_path),
        resume=bool(options.resume),
        backend=settings.backend,
        model=settings.model,
    )
    inner = backend
    output_existed = True
    run = GenerationRun(spec, settings, options, journal, accountant, tracker, run_tests)
    run.review = review
    try:
        if inner is None:
            from protosmith.llm.factory import create_backend

            inner = create_backend(settings)
        run.caching = CachingBackend(
            inner,
            state_dir(workspace) / "cache",
            journal=journal,
            accountant=accountant,
            api_key_env=settings.api_key_env,
        )
        await _prepare_off_loop(run.caching)
        output_existed = (workspace / spec.project.output).exists()
        run.writer = SafeWriter(workspace / spec.project.output, workspace)
        await run.execute()
    except asyncio.CancelledError:
        run.status = "cancelled"
        run.message = (
            "cancelled; finished tasks are kept: "
            f"run `protosmith generate --resume {journal.run_id}` to continue"
        )
    except BudgetExceeded as error:
        if error.outcomes:
            run.outcomes.update(error.outcomes)
        run.status, run.message = "budget_exceeded", f"stopped: {error} (limit {error.limit})"
    except (architecture.ArchitectureError, ContextOverflow) as error:
        run.status, run.message = "failed", f"architecture failed: {error}"
    except BackendError as error:
        log.error("generation stopped by a backend error", exc_info=True)
        run.status, run.message = "failed", f"backend error: {error}"
    except Exception as error:  # the service boundary: log the traceback, report, keep the journal
        log.exception("generation failed unexpectedly")
        run.status = "failed"
        run.message = (
            f"internal error ({type(error).__name__}: {error}); see the log and the journal"
        )
    finally:
        if backend is None and inner is not None:
            await inner.aclose()
        if run.writer is not None and not output_existed:
            _remove_if_empty(run.writer.root)
    summary = summarise(run, time.monotonic() - started)
    journal.event("run_finished", status=summary.status, message=summary.message)
    journal.write_manifest(run.manifest(summary))
    tracker.emit("done", summary.message)
    return summary


async def _prepare_off_loop(backend: CachingBackend) -> None:
    """Read the backend's capabilities and load its tokenizer in a thread, before the stages.

    Both may import heavy native modules the first time (llama_cpp and numpy for the device
    probe and the GGUF tokenizer: 10 s and more on a busy machine); on the event loop that
    import would hold up everything, a cancellation included. The thread is a daemon that a
    cancelled run does not wait for: it only fills caches.
    """
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def settle() -> None:
        if not ready.done():
            ready.set_result(None)

    def work() -> None:
        try:
            backend.capabilities.token_counter.count("warm up")
        except Exception as error:  # the stages meet it again, on the loop, and report it
            log.debug("backend preparation failed: %s", error)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop closed: the run is over
                loop.call_soon_threadsafe(settle)

    threading.Thread(target=work, name="protosmith-prepare", daemon=True).start()
    await ready


def _remove_if_empty(folder: Path) -> None:
    """Remove an output folder this run created and never wrote to (a run stopped early)."""
    with contextlib.suppress(OSError):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


class GenerationRun:
    """The mutable state of one generation, shared by the stages and the summary."""

    def __init__(
        self,
        spec: Spec,
        settings: Settings,
        options: GenerateOptions,
        journal: Journal,
        accountant: Accountant,
        tracker: _Progress,
        run_tests: bool,
    ) -> None:
        self.spec, self.settings, self.options = spec, settings, options
        self.journal, self.accountant, self.tracker = journal, accountant, tracker
        self.run_tests = run_tests
        self.review = True
        self.caching: CachingBackend | None = None
        self.writer: SafeWriter | None = None
        self.record: ArchitectureRecord | None = None
        self.ctx: graph_tasks.RunContext | None = None
        self.outcomes: dict[str, TaskOutcome] = {}
        self.notes: list[str] = []
        self.docs_files: list[str] = []
        self.status = ""
        self.message = ""
        self.timings: dict[str, float] = {}

    def retries(self, stage: str = "task") -> int:
        """Structured retries per call: fewer for in-process models, where a retry costs minutes
        and a small model rarely fixes its reply; the architecture keeps one, as it matters most.
        """
        assert self.caching is not None
        if self.caching.capabilities.backend != "local":
            return 2
        return 1 if stage == "architecture" else 0

    def fingerprint(self) -> str:
        assert self.caching is not None
        caps = self.caching.capabilities
        return graph_tasks.input_key(caps.backend, caps.model, self.settings.max_tokens)

    def context_manager(self) -> ContextManager:
        assert self.caching is not None
        caps = self.caching.capabilities
        budget = self.settings.max_context_tokens or caps.context_window - self.settings.max_tokens
        reserve = min(RETRY_RESERVE_TOKENS, self.settings.max_tokens + 100, budget // 3)
        return ContextManager(caps.token_counter, max(256, budget - reserve))

    async def execute(self) -> None:
        started = time.monotonic()
        self.tracker.emit("architecture", "designing the architecture")
        self.record = await self._architecture()
        self.timings["architecture"] = time.monotonic() - started
        self.tracker.done = 1
        self.ctx = self._context(self.record)
        task_list = graph_tasks.build_tasks(self.ctx)
        self.tracker.total = len(task_list) + 2
        self.tracker.emit("architecture", f"{len(self.record.components)} component(s) designed")
        assert self.caching is not None
        concurrency = effective_concurrency(
            self.options.concurrency or self.settings.concurrency,
            self.caching.capabilities.parallel_slots,
        )
        self.journal.event("graph", tasks=[t.id for t in task_list], concurrency=concurrency)
        self.outcomes = await run_graph(task_list, concurrency=concurrency, on_event=self._on_event)
        smoke = self.ctx.results.get(graph_tasks.task_id("integration", "services"))
        if smoke is not None:
            self.notes.append(smoke["detail"])
            if smoke["status"] == "failed":
                self.status = "partial"  # the components pass alone but not together
        started = time.monotonic()
        self.tracker.emit("docs", "writing the documentation")
        assert self.ctx is not None
        self.docs_files, note = await graph_tasks.docs_stage(self.ctx)
        if note:
            self.notes.append(note)
        self.timings["docs"] = time.monotonic() - started
        self.tracker.done = self.tracker.total

    def _on_event(self, name: str, task: Task, outcome: TaskOutcome | None) -> None:
        if name == "started":
            self.journal.event("task_started", task=task.id, task_kind=task.kind)
            self.tracker.emit(task.kind, f"{task.id} started")
            return
        if outcome is None:
            return
        self.timings[task.id] = round(outcome.duration, 4)
        error = f"{type(outcome.error).__name__}: {outcome.error}" if outcome.error else ""
        self.journal.event(
            "task_finished",
            task=task.id,
            task_kind=task.kind,
            status=outcome.status,
            detail=outcome.detail,
            error=error[:1000],
        )
        if outcome.status == "failed":
            log.info("task %s failed: %s", task.id, error)
        self.tracker.done += 1
        self.tracker.emit(task.kind, f"{task.id} {outcome.status}")

    async def _architecture(self) -> ArchitectureRecord:
        assert self.caching is not None
        key = graph_tasks.input_key(
            "architecture", self.fingerprint(), self.spec.model_dump(mode="json")
        )
        if self.options.resume:
            saved = self.journal.load_task("architecture")
            if saved is not None and saved.get("key") == key:
                self.journal.event("task_reused", task="architecture")
                if saved.get("fallback"):
                    self.notes.append(saved.get("note", "used the fallback architecture"))
                return ArchitectureRecord.model_validate(saved["result"])
        fallback, note = False, ""
        try:
            outcome = await architecture.design(
                self.caching,
                self.spec,
                max_tokens=self.settings.max_tokens,
                retries=self.retries("architecture"),
                repair_rounds=self.retries("task"),
                context=self.context_manager(),
            )
            record = outcome.record
            for repair in outcome.repairs:
                self.journal.event("architecture_repair", problem=repair)
        except StructuredOutputError as error:
            record, fallback = architecture.fallback_record(self.spec), True
            note = "the architecture agent gave no valid design, so a single-component architecture derived from the spec was used"
            self.notes.append(note)
            self.journal.event("architecture_fallback", error=str(error))
        self.journal.save_task(
            "architecture",
            {"key": key, "result": record.model_dump(), "fallback": fallback, "note": note},
        )
        return record

    def _context(self, record: ArchitectureRecord) -> graph_tasks.RunContext:
        assert self.caching is not None and self.writer is not None
        runner, missing = default_runner() if self.run_tests else (None, "test execution disabled")
        ctx = graph_tasks.RunContext(
            spec=self.spec,
            record=record,
            backend=self.caching,
            context=self.context_manager(),
            writer=self.writer,
            journal=self.journal,
            max_tokens=self.settings.max_tokens,
            retries=self.retries(),
            fingerprint=self.fingerprint(),
            runner=runner,
            runner_missing=missing,
            review=self.review,
            resume=bool(self.options.resume),
        )
        ctx.briefs = graph_tasks.make_briefs(self.spec, record, architecture.summary(record))
        ctx.contracts = integration.prepare_contracts(ctx)
        return ctx

    def manifest(self, summary: RunSummary) -> dict[str, Any]:
        """What ``manifest.json`` records: spec, architecture, files, tests, usage, timings."""
        return {
            "status": summary.status,
            "message": summary.message,
            "spec": self.spec.model_dump(mode="json"),
            "architecture": self.record.model_dump() if self.record else None,
            "files": summary.files,
            "tests": summary.tests.model_dump(),
            "components": [c.model_dump() for c in summary.components],
            "usage": self.accountant.snapshot(),
            "llm_calls": summary.llm_calls,
            "cache_hits": summary.cache_hits,
            "timings": self.timings,
            "refused_paths": self.ctx.refused if self.ctx else [],
            "summary": summary.model_dump(mode="json"),
        }
