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
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from protosmith.agents import architecture
from protosmith.agents.models import ArchitectureRecord
from protosmith.context.manager import ContextManager, ContextOverflow
from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError, StructuredOutputError
from protosmith.llm.limits import EffectiveLimits, effective_limits
from protosmith.pipeline import integration, preflight
from protosmith.pipeline import tasks as graph_tasks
from protosmith.pipeline.api import (
    GenerateOptions,
    ProgressCallback,
    ProgressEvent,
    RunSummary,
    UsageShare,
)
from protosmith.pipeline.budget import Accountant, BudgetExceeded
from protosmith.pipeline.cache import CachingBackend
from protosmith.pipeline.journal import Journal, state_dir
from protosmith.pipeline.repair import default_runner
from protosmith.pipeline.scheduler import Task, TaskOutcome, effective_concurrency, run_graph
from protosmith.pipeline.summary import summarise
from protosmith.pipeline.writer import SafeWriter, UnsafePathError
from protosmith.settings import Settings, resolve_settings
from protosmith.spec.loader import load_spec
from protosmith.spec.model import Spec

log = logging.getLogger(__name__)
FALLBACK_NOTE = (
    "the architecture agent gave no valid design, so a single-component architecture "
    "derived from the spec was used"
)
RETRY_RESERVE_TOKENS = 1200
"""Room kept in each prompt for the failed reply and the error a structured retry appends."""


class SpecInvalid(Exception):
    """The spec does not validate; ``problems`` are check-style lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def load(path: Path) -> Spec:
    """The validated spec, or :class:`SpecInvalid` with ``PATH:LINE:COL: CODE`` lines."""
    result = load_spec(path)
    if not result.ok or result.spec is None:
        raise SpecInvalid([problem.format() for problem in result.problems] or [f"{path}: invalid"])
    return result.spec


class _Progress:
    """Counts finished tasks and forwards progress events with the run's token totals.

    ``total`` is 0 (unknown) until the architecture is designed; from then on it is the number
    of graph tasks plus the architecture and documentation steps, and never changes.
    """

    def __init__(self, run_id: str, callback: ProgressCallback | None, accountant: Accountant):
        self.run_id, self.callback, self.accountant = run_id, callback, accountant
        self.done, self.total = 0, 0

    def emit(self, stage: str, message: str) -> None:
        if self.callback is None:
            return
        total = self.accountant.run_total()
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

    def journaled(self, event: dict[str, Any]) -> None:
        """Journal listener: long steps inside a task (automatic fixing) report progress too."""
        if event.get("kind") == "remediation_started":
            self.emit(
                "review",
                f"review:{event.get('component')} fixing {event.get('code')} at "
                f"{event.get('where')} (attempt {event.get('attempt')} of {event.get('attempts')})",
            )


def _settings(
    spec: Spec, options: GenerateOptions, stored: dict[str, object], *, warn: bool = True
) -> Settings:
    """Settings from every source; ``stored`` (a resumed run's backend and model) ranks just
    below the CLI, so a resume keeps them unless told otherwise."""
    spec_llm = spec.llm.model_dump(exclude_none=True)
    cli = {**stored, **options.cli_settings}
    settings, problems = resolve_settings(cli=cli, spec_llm=spec_llm)
    for problem in problems if warn else ():
        log.warning("%s", problem)
    return settings


RESUMED_KEYS = ("backend", "model", "base_url")
"""What a resumed run keeps from its first session unless the CLI (or editor) says otherwise."""


def _stored_settings(journal: Journal) -> dict[str, object]:
    first = journal.first_event("run_started") or {}
    return {key: first[key] for key in RESUMED_KEYS if first.get(key)}


def _failed(run_id: str, message: str, output: str = "") -> RunSummary:
    return RunSummary(run_id=run_id, status="failed", output=output, message=message)


class _RunLog:
    """The run's log file: tracebacks and details land here, never on the user's terminal."""

    def __init__(self, path: Path) -> None:
        self.handler: logging.Handler | None = None
        try:
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            return
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger("protosmith").addHandler(handler)
        self.handler = handler

    def record(self, message: str, error: BaseException) -> None:
        """Write ``message`` and the traceback of ``error`` to the log file, whatever the log
        level the caller configured (the terminal shows the one-line summary instead)."""
        if self.handler is None:
            return
        record = log.makeRecord(
            log.name,
            logging.ERROR,
            __file__,
            0,
            message,
            (),
            (type(error), error, error.__traceback__),
        )
        self.handler.handle(record)

    def close(self) -> None:
        if self.handler is not None:
            logging.getLogger("protosmith").removeHandler(self.handler)
            self.handler.close()


def _open_journal(
    workspace: Path, options: GenerateOptions, api_key_env: str
) -> Journal | RunSummary:
    """The run's journal, or the summary that says why there is none."""
    try:
        if options.resume:
            return Journal.open(workspace, options.resume, api_key_env=api_key_env)
        return Journal.create(workspace, api_key_env=api_key_env)
    except FileNotFoundError as error:
        return _failed(options.resume or "", str(error))
    except OSError as error:
        log.info("cannot create the run journal: %s", error, exc_info=True)
        return _failed(
            options.resume or "",
            f"cannot write the run journal under {workspace / '.protosmith'} "
            f"({error.strerror or error}): run protosmith from a folder you can write to",
        )


def _nothing_to_resume(journal: Journal) -> RunSummary | None:
    """A finished, succeeded run has nothing to resume: its own summary, and how to redo it."""
    manifest = journal.manifest()
    if not manifest or manifest.get("status") != "succeeded":
        return None
    try:
        summary = RunSummary.model_validate(manifest.get("summary") or {})
    except ValidationError:
        return None
    summary.message = (
        f"nothing to resume: run {journal.run_id} already succeeded "
        f"(use `protosmith generate --resume {journal.run_id} --redo` to run it again, "
        "or `protosmith generate` for a new run)"
    )
    return summary


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
    ``review=False`` skips the per-component review hook (journaled as disabled). Nothing is
    spent before the preflight checks pass (:mod:`protosmith.pipeline.preflight`).
    """
    started = time.monotonic()
    try:
        spec = load(options.spec_path)
    except SpecInvalid as error:
        return _failed("", "invalid spec: " + "; ".join(error.problems))
    workspace = Path(options.workspace).resolve()
    output = spec.project.output
    settings = _settings(spec, options, {}, warn=not options.resume)
    output_existed = (workspace / output).exists()
    """The preflight creates the output folder; a run stopped early removes it if still empty."""
    problems = preflight.check_filesystem(workspace, output)
    if problems:
        return _failed(options.resume or "", "; ".join(p.line() for p in problems), output)
    opened = _open_journal(workspace, options, settings.api_key_env)
    if isinstance(opened, RunSummary):
        return opened
    journal = opened
    if options.resume:
        if not options.redo:
            finished = _nothing_to_resume(journal)
            if finished is not None:
                journal.event("resume_refused", reason="the run already succeeded")
                return finished
        settings = _settings(spec, options, _stored_settings(journal))
    run_log = _RunLog(journal.log_path)
    try:
        return await _generate(
            options, spec, settings, journal, backend, progress, run_tests, review, started, run_log
        )
    finally:
        run_log.close()
        if not output_existed:
            _remove_if_empty(workspace / output)


async def _generate(
    options: GenerateOptions,
    spec: Spec,
    settings: Settings,
    journal: Journal,
    backend: Backend | None,
    progress: ProgressCallback | None,
    run_tests: bool,
    review: bool,
    started: float,
    run_log: _RunLog,
) -> RunSummary:
    workspace = Path(options.workspace).resolve()
    prior, sessions = journal.ledger() if options.resume else (UsageShare(), 0)
    accountant = Accountant(
        spec.budget, run_id=journal.run_id, prior=prior, prior_sessions=sessions
    )
    tracker = _Progress(journal.run_id, progress, accountant)
    journal.subscribe(tracker.journaled)
    journal.event(
        "run_started",
        spec=str(options.spec_path),
        resume=bool(options.resume),
        redo=options.redo,
        session=sessions + 1,
        backend=settings.backend,
        model=settings.model,
        base_url=settings.base_url,
    )
    inner = backend
    run = GenerationRun(spec, settings, options, journal, accountant, tracker, run_tests)
    run.review = review
    try:
        accountant.check()  # a budget spent in earlier sessions stays spent until raised
        if inner is None:
            checks, settings = await preflight.check_backend(settings)
            run.settings = settings
            if checks:
                for problem in checks:
                    journal.event("preflight_failed", check=problem.check, message=problem.line())
                raise _PreflightFailed("; ".join(p.line() for p in checks))
            from protosmith.llm.factory import create_backend

            inner = create_backend(settings)
        run.limits = await effective_limits(inner, settings)
        journal.event("limits", **run.limits.model_dump(mode="json"))
        run.caching = CachingBackend(
            inner,
            state_dir(workspace) / "cache",
            journal=journal,
            accountant=accountant,
            api_key_env=settings.api_key_env,
        )
        await _prepare_off_loop(run.caching)
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
    except _PreflightFailed as error:
        run.status, run.message = "failed", f"cannot start: {error}"
        run.started_work = False
    except (architecture.ArchitectureError, ContextOverflow) as error:
        run.status, run.message = "failed", f"architecture failed: {error}"
    except BackendError as error:
        run_log.record(f"generation stopped by a backend error: {error}", error)
        run.status, run.message = "failed", f"backend error: {error}"
        if error.retryable:
            run.message += (
                f"; when the endpoint is back, run `protosmith generate --resume {journal.run_id}`"
            )
    except OSError as error:  # a full disk, a folder made read-only mid-run: ordinary, not internal
        run_log.record(f"generation stopped by a file system error: {error}", error)
        where = f" {error.filename}" if error.filename else ""
        run.status = "failed"
        run.message = (
            f"cannot write{where} ({error.strerror or type(error).__name__}): free space or fix "
            f"the permissions, then run `protosmith generate --resume {journal.run_id}`"
        )
    except Exception as error:  # the service boundary: log the traceback, report, keep the journal
        log.exception("generation failed unexpectedly")  # ERROR: reaches the run log too
        run.status = "failed"
        run.message = (
            f"internal error ({type(error).__name__}: {error}); see {journal.log_path} "
            "and the journal"
        )
    finally:
        if backend is None and inner is not None:
            await inner.aclose()
    run.removed = run.remove_superseded()
    summary = summarise(run, time.monotonic() - started)
    journal.event("run_finished", status=summary.status, message=summary.message)
    journal.write_manifest(run.manifest(summary))
    if run.started_work:  # a run that could not start says so once, in its summary
        tracker.emit("done", summary.message)
    return summary


_NOT_GENERATED = frozenset({"__pycache__", ".pytest_cache", "node_modules", ".mypy_cache"})
"""Folders test runs and tools leave in the output; never listed as stale files."""


class _PreflightFailed(Exception):
    """A check before the first LLM call failed; the message names the fix."""


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
        self.fallback_reason = ""
        """Why the fallback design was used; empty when the architecture agent designed it."""
        self.removed: list[str] = []
        self.started_work = True
        self.reuse = bool(options.resume) and not options.redo
        """Reuse saved task results: a resume does, a ``--redo`` does not."""

        self.limits: EffectiveLimits | None = None
        """Context window, completion limit and prompt budget in effect, with their sources."""

    @property
    def fallback(self) -> bool:
        return bool(self.fallback_reason)

    @property
    def max_tokens(self) -> int:
        """The completion limit every request carries."""
        assert self.limits is not None
        return self.limits.max_tokens

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
        if caps.seed is not None:  # another seed is another run of the model: nothing reused
            return graph_tasks.input_key(caps.backend, caps.model, self.max_tokens, caps.seed)
        return graph_tasks.input_key(caps.backend, caps.model, self.max_tokens)

    def context_manager(self) -> ContextManager:
        """Prompts are planned within the budget the limits leave (never a floor below it)."""
        assert self.caching is not None and self.limits is not None
        budget = self.limits.prompt_budget
        reserve = min(RETRY_RESERVE_TOKENS, budget // 4)
        return ContextManager(self.caching.capabilities.token_counter, budget - reserve)

    async def execute(self) -> None:
        started = time.monotonic()
        self.tracker.emit("architecture", "designing the architecture")
        self.record = await self._architecture()
        self.timings["architecture"] = time.monotonic() - started
        self.ctx = self._context(self.record)
        task_list = graph_tasks.build_tasks(self.ctx)
        self.tracker.done, self.tracker.total = 1, len(task_list) + 2
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
        if self.reuse:
            saved = self.journal.load_task("architecture")
            if saved is not None and saved.get("key") == key and not saved.get("fallback"):
                self.journal.event("task_reused", task="architecture")
                return ArchitectureRecord.model_validate(saved["result"])
            if saved is not None and saved.get("fallback"):
                # A fallback stands in for a failed design: resuming tries the architect again.
                self.journal.event("task_retried", task="architecture", reason="fallback design")
        fallback, note = False, ""
        try:
            outcome = await architecture.design(
                self.caching,
                self.spec,
                max_tokens=self.max_tokens,
                retries=self.retries("architecture"),
                repair_rounds=self.retries("task"),
                context=self.context_manager(),
            )
            record = outcome.record
            for repair in outcome.repairs:
                self.journal.event("architecture_repair", problem=repair)
        except StructuredOutputError as error:
            record, fallback = architecture.fallback_record(self.spec), True
            note = FALLBACK_NOTE
            for component in record.components:
                # Nobody chose this language: the fallback takes the first project language.
                component.language_reason = (
                    f"fallback design: the first project language ({component.language})"
                )
            self.fallback_reason = note
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
            max_tokens=self.max_tokens,
            retries=self.retries(),
            fingerprint=self.fingerprint(),
            runner=runner,
            runner_missing=missing,
            review=self.review,
            resume=self.reuse,
        )
        ctx.briefs = graph_tasks.make_briefs(self.spec, record, architecture.summary(record))
        ctx.contracts = integration.prepare_contracts(ctx)
        return ctx

    def remove_superseded(self) -> list[str]:
        """Delete files an earlier session of this run wrote that the current design lacks.

        Only files this run id recorded as written (earlier manifests and saved task results)
        are removed; anything else under the output folder is listed as stale, never deleted.
        """
        if (
            self.writer is None
            or self.ctx is None
            or self.status in ("cancelled", "budget_exceeded")
        ):
            return []
        current = {name for files in self.ctx.files.values() for name in files}
        current.update(self.docs_files)
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
        if self.writer is None:
            return []
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
            "usage": self.accountant.snapshot(cache_hits=self.caching.hits if self.caching else 0),
            "gaps": [gap.model_dump() for gap in summary.gaps],
            "design": summary.design,
            "removed_files": summary.removed_files,
            "stale_files": summary.stale_files,
            "llm_calls": summary.llm_calls,
            "cache_hits": summary.cache_hits,
            "timings": self.timings,
            "refused_paths": self.ctx.refused if self.ctx else [],
            "summary": summary.model_dump(mode="json"),
        }
