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
from functools import partial
from pathlib import Path

from pydantic import ValidationError

from protosmith.agents import architecture
from protosmith.context.manager import ContextOverflow
from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError
from protosmith.llm.limits import effective_limits
from protosmith.pipeline import plan, preflight
from protosmith.pipeline.api import GenerateOptions, ProgressCallback, RunSummary, UsageShare
from protosmith.pipeline.budget import Accountant, BudgetExceeded
from protosmith.pipeline.cache import CachingBackend
from protosmith.pipeline.journal import Journal, state_dir
from protosmith.pipeline.run import GenerationRun, RunSession
from protosmith.pipeline.scheduler import Task, TaskOutcome, effective_concurrency, run_graph
from protosmith.pipeline.stages.architecture import design
from protosmith.pipeline.stages.documentation import docs_stage
from protosmith.pipeline.stages.verify import default_runner
from protosmith.pipeline.summary import TESTS_DISABLED, manifest, summarise
from protosmith.pipeline.tracker import ProgressTracker
from protosmith.pipeline.writer import SafeWriter
from protosmith.settings import Settings, resolve_settings
from protosmith.spec.loader import load_spec
from protosmith.spec.model import Spec

log = logging.getLogger(__name__)


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


def _settings(spec: Spec, options: GenerateOptions, stored: dict[str, object]) -> Settings:
    """Settings from every source, resolved once per run; ``stored`` (a resumed run's backend
    and model) ranks just below the CLI, so a resume keeps them unless told otherwise."""
    spec_llm = spec.llm.model_dump(exclude_none=True)
    cli = {**stored, **options.cli_settings}
    settings, problems = resolve_settings(
        cli=cli, spec_llm=spec_llm, editor=options.editor_settings
    )
    for problem in problems:
        log.warning("%s", problem)
    return settings


RESUMED_KEYS = ("backend", "model", "base_url")
"""What a resumed run keeps from its first session unless the CLI (or editor) says otherwise."""


def _stored_settings(workspace: Path, run_id: str) -> dict[str, object]:
    journal = Journal.existing(workspace, run_id)
    first = (journal.first_event("run_started") if journal else None) or {}
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
    spec: Spec | None = None,
) -> RunSummary:
    """Run the whole pipeline for ``options.spec_path``; cancel the task to stop it.

    ``run_tests=False`` skips executing generated tests (reported as not run, never passed);
    ``review=False`` skips the per-component review hook (journaled as disabled). Nothing is
    spent before the preflight checks pass (:mod:`protosmith.pipeline.preflight`). ``spec``
    is the spec at ``options.spec_path`` when the caller has loaded it already (the CLI).
    """
    started = time.monotonic()
    if spec is None:
        try:
            spec = load(options.spec_path)
        except SpecInvalid as error:
            return _failed("", "invalid spec: " + "; ".join(error.problems))
    workspace = Path(options.workspace).resolve()
    output = spec.project.output
    stored = _stored_settings(workspace, options.resume) if options.resume else {}
    settings = _settings(spec, options, stored)
    output_existed = (workspace / output).exists()
    """The preflight creates the output folder; a run stopped early removes it if still empty."""
    problems = preflight.check_filesystem(workspace, output)
    if problems:
        return _failed(options.resume or "", "; ".join(p.line() for p in problems), output)
    opened = _open_journal(workspace, options, settings.api_key_env)
    if isinstance(opened, RunSummary):
        return opened
    journal = opened
    if options.resume and not options.redo:
        finished = _nothing_to_resume(journal)
        if finished is not None:
            journal.event("resume_refused", reason="the run already succeeded")
            return finished
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
    tracker = ProgressTracker(journal.run_id, progress, accountant)
    journal.subscribe(tracker.journaled)
    journal.event(
        "run_started",
        spec=str(options.spec_path),
        resume=bool(options.resume),
        redo=options.redo,
        session=sessions + 1,
        output=spec.project.output,
        backend=settings.backend,
        model=settings.model,
        base_url=settings.base_url,
    )
    inner = backend
    session = RunSession(
        spec, settings, options, journal, accountant, tracker, run_tests=run_tests, review=review
    )
    try:
        accountant.check()  # a budget spent in earlier sessions stays spent until raised
        if inner is None:
            checks, settings = await preflight.check_backend(settings)
            session.settings = settings
            if checks:
                for problem in checks:
                    journal.event("preflight_failed", check=problem.check, message=problem.line())
                raise _PreflightFailed("; ".join(p.line() for p in checks))
            inner = _create_backend(settings)
        limits = await effective_limits(inner, settings)
        journal.event("limits", **limits.model_dump(mode="json"))
        caching = CachingBackend(
            inner,
            state_dir(workspace) / "cache",
            journal=journal,
            accountant=accountant,
            api_key_env=settings.api_key_env,
        )
        await _prepare_off_loop(caching)
        runner, missing = default_runner() if run_tests else (None, TESTS_DISABLED)
        session.run = GenerationRun(
            session=session,
            backend=caching,
            writer=SafeWriter(workspace / spec.project.output, workspace),
            limits=limits,
            runner=runner,
            runner_missing=missing,
        )
        await _execute(session.run)
    except asyncio.CancelledError:
        session.status = "cancelled"
        session.message = (
            "cancelled; finished tasks are kept: "
            f"run `protosmith generate --resume {journal.run_id}` to continue"
        )
    except BudgetExceeded as error:
        if error.outcomes:
            session.outcomes.update(error.outcomes)
        session.status = "budget_exceeded"
        session.message = f"stopped: {error} (limit {error.limit})"
    except _PreflightFailed as error:
        session.status, session.message = "failed", f"cannot start: {error}"
        session.started_work = False
    except _BackendUnavailable as error:
        session.status, session.message = "failed", f"cannot start: {error}"
        session.started_work = False
        session.failed_step = f"backend: {error}"
    except (architecture.ArchitectureError, ContextOverflow) as error:
        session.status, session.message = "failed", f"architecture failed: {error}"
    except BackendError as error:
        run_log.record(f"generation stopped by a backend error: {error}", error)
        session.status, session.message = "failed", f"backend error: {error}"
        if error.retryable:
            session.message += (
                f"; when the endpoint is back, run `protosmith generate --resume {journal.run_id}`"
            )
    except OSError as error:  # a full disk, a folder made read-only mid-run: ordinary, not internal
        run_log.record(f"generation stopped by a file system error: {error}", error)
        where = f" {error.filename}" if error.filename else ""
        session.status = "failed"
        session.message = (
            f"cannot write{where} ({error.strerror or type(error).__name__}): free space or fix "
            f"the permissions, then run `protosmith generate --resume {journal.run_id}`"
        )
    except Exception as error:  # the service boundary: log the traceback, report, keep the journal
        log.exception("generation failed unexpectedly")  # ERROR: reaches the run log too
        session.status = "failed"
        session.message = (
            f"internal error ({type(error).__name__}: {error}); see {journal.log_path} "
            "and the journal"
        )
    finally:
        if backend is None and inner is not None:
            await inner.aclose()
    session.removed = session.run.remove_superseded() if session.run else []
    summary = summarise(session, time.monotonic() - started)
    journal.event("run_finished", status=summary.status, message=summary.message)
    journal.write_manifest(manifest(session, summary))
    if session.started_work:  # a run that could not start says so once, in its summary
        tracker.emit("done", summary.message)
    return summary


async def _execute(run: GenerationRun) -> None:
    """The stages in order: architecture, the graph tasks, documentation."""
    session, tracker = run.session, run.session.tracker
    started = time.monotonic()
    tracker.emit("architecture", "designing the architecture")
    record = run.record = await design(run)
    session.timings["architecture"] = time.monotonic() - started
    ctx = run.graph = plan.run_context(run, record)
    task_list = plan.build_tasks(ctx)
    tracker.done, tracker.total = 1, len(task_list) + 2
    tracker.emit("architecture", f"{len(record.components)} component(s) designed")
    concurrency = effective_concurrency(
        session.options.concurrency or session.settings.concurrency,
        run.backend.capabilities.parallel_slots,
    )
    run.journal.event("graph", tasks=[t.id for t in task_list], concurrency=concurrency)
    session.outcomes = await run_graph(
        task_list, concurrency=concurrency, on_event=partial(_on_event, session)
    )
    smoke = ctx.results.integration()
    if smoke is not None:
        session.notes.append(smoke.detail)
        if smoke.status == "failed":
            session.status = "partial"  # the components pass alone but not together
    started = time.monotonic()
    tracker.emit("docs", "writing the documentation")
    session.docs_files, note = await docs_stage(ctx)
    if note:
        session.notes.append(note)
    session.timings["docs"] = time.monotonic() - started
    tracker.done = tracker.total


def _on_event(session: RunSession, name: str, task: Task, outcome: TaskOutcome | None) -> None:
    tracker, journal = session.tracker, session.journal
    if name == "started":
        journal.event("task_started", task=task.id, task_kind=task.kind)
        tracker.emit(task.kind, f"{task.id} started")
        return
    if outcome is None:
        return
    session.timings[task.id] = round(outcome.duration, 4)
    error = f"{type(outcome.error).__name__}: {outcome.error}" if outcome.error else ""
    journal.event(
        "task_finished",
        task=task.id,
        task_kind=task.kind,
        status=outcome.status,
        detail=outcome.detail,
        error=error[:1000],
    )
    if outcome.status == "failed":
        log.info("task %s failed: %s", task.id, error)
    tracker.done += 1
    tracker.emit(task.kind, f"{task.id} {outcome.status}")


class _PreflightFailed(Exception):
    """A check before the first LLM call failed; the message names the fix."""


class _BackendUnavailable(Exception):
    """The backend the settings name cannot be built here (a missing model file, a package)."""


def _create_backend(settings: Settings) -> Backend:
    from protosmith.llm.factory import create_backend

    try:
        return create_backend(settings)
    except BackendError as error:
        raise _BackendUnavailable(f"backend {settings.backend!r} unavailable: {error}") from error


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
