"""``protosmith generate``: run the agent pipeline on a spec from the terminal.

Exit codes: 0 succeeded (every component's tests ran and passed), 1 failed (or could not
start: the one line on stderr names the fix), 2 bad spec, 3 partial (something was generated
but not everything was proven: the summary lists what and why), 4 stopped by the ``[budget]``
(raise it, then ``--resume``), 130 interrupted (with the command that resumes the run).
``--json`` prints exactly one JSON object on stdout. Ordinary errors never print a traceback:
details go to the run's log, ``.protosmith/runs/<run>/protosmith.log``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from protosmith.exit_codes import ExitCode
from protosmith.interrupts import Interruptible
from protosmith.pipeline.api import GenerateOptions, ProgressEvent, RunSummary
from protosmith.priority import die_with_parent

_EXIT_CODES = {
    "succeeded": ExitCode.OK,
    "partial": ExitCode.PARTIAL,
    "budget_exceeded": ExitCode.BUDGET,
    "cancelled": ExitCode.INTERRUPTED,
}


def exit_code(summary: RunSummary) -> int:
    """The documented exit status of a run summary (see the module docstring)."""
    return _EXIT_CODES.get(summary.status, ExitCode.FAILED)


class _NoTraceback(logging.Formatter):
    """Terminal log lines carry the message only; the traceback is in the run's log file."""

    def format(self, record: logging.LogRecord) -> str:
        return f"protosmith: {record.getMessage()}"


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_NoTraceback())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    # INFO reaches the run's log file (attached by the service), not the terminal.
    logging.getLogger("protosmith").setLevel(logging.INFO)


def _print_text(summary: RunSummary) -> None:
    from protosmith.report.run_summary import render_summary

    print(render_summary(summary))


def run(args: argparse.Namespace) -> int:
    """Validate the spec, run the pipeline with a progress display, print the summary.

    With ``--child`` (the language server's generation child) the options come as one
    :class:`GenerateOptions` JSON object on stdin, and the output is machine-readable.
    """
    _configure_logging()
    seen = _RunIdTracker()
    child = bool(getattr(args, "child", False))
    options = GenerateOptions.model_validate_json(sys.stdin.read()) if child else None
    machine = child or bool(getattr(args, "progress_json", False))
    as_json = child or bool(args.json)

    def hard_stop(code: int) -> None:
        """The clean stop did not come: record the run as cancelled, remove our temporary
        copies, say how to resume."""
        from protosmith import scratch
        from protosmith.pipeline.stopped import record_cancelled

        scratch.remove_root()
        if seen.run_id and seen.workspace is not None:
            record_cancelled(seen.workspace, seen.run_id)
        print(f"protosmith: stopped; {_resume_hint(seen.run_id)}", file=sys.stderr)
        if as_json:
            stopped = RunSummary(run_id=seen.run_id, status="cancelled", message="stopped")
            print(stopped.model_dump_json(), flush=True)

    # Installed first, whatever SIGINT's inherited disposition: see ``protosmith.interrupts``.
    with Interruptible(hard_stop) as guard:
        if machine:  # a parent relays our progress (the server):
            die_with_parent(signal.SIGINT)  # if it dies, stop cleanly rather than run on alone
        return _run(args, options, guard, seen, machine=machine, as_json=as_json)


def _resume_hint(run_id: str) -> str:
    return f"run `protosmith generate --resume {run_id or 'last'}` to continue"


def _options(args: argparse.Namespace) -> GenerateOptions:
    """The options of a terminal run, from its flags."""
    from protosmith.settings import SettingsOverrides

    spec_path = Path(args.spec).resolve()
    return GenerateOptions(
        spec_path=spec_path,
        workspace=spec_path.parent,
        concurrency=args.concurrency,
        resume=args.resume,
        redo=bool(getattr(args, "redo", False)),
        cli_settings=dict(SettingsOverrides.from_args(args).command_line),
    )


def _run(
    args: argparse.Namespace,
    given: GenerateOptions | None,
    guard: Interruptible,
    seen: _RunIdTracker,
    *,
    machine: bool,
    as_json: bool,
) -> int:
    from protosmith.pipeline.service import SpecInvalid, load

    options = given or _options(args)
    try:
        spec = load(options.spec_path)  # the one load of this process: generate reuses it
    except SpecInvalid as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        if as_json:
            failed = RunSummary(run_id="", status="failed", message="invalid spec")
            print(failed.model_dump_json())
        return ExitCode.INVALID_SPEC
    workspace = options.workspace
    if options.resume == "last":
        from protosmith.pipeline.journal import latest_run

        options.resume = latest_run(workspace)
        if options.resume is None:
            print(
                f"protosmith: there is no run to resume in {workspace}; "
                "run `protosmith generate` to start one",
                file=sys.stderr,
            )
            return ExitCode.FAILED
    if options.redo and not options.resume:
        print("protosmith: --redo needs --resume RUN (or --resume last)", file=sys.stderr)
        return ExitCode.INVALID_SPEC
    from protosmith.pipeline.service import generate
    from protosmith.report.progress import progress_display

    display = progress_display(machine=machine)
    seen.display, seen.workspace = display, workspace
    try:
        summary = guard.run(generate(options, progress=seen, spec=spec))
    except asyncio.CancelledError:  # interrupted before the pipeline could record anything
        summary = RunSummary(
            run_id=seen.run_id,
            status="cancelled",
            message=f"interrupted; {_resume_hint(seen.run_id)}",
        )
    if not guard.finish():  # a hard stop is under way and prints its own summary
        return ExitCode.INTERRUPTED
    display.close()
    if as_json:
        print(summary.model_dump_json())
    else:
        _print_text(summary)
    if summary.status == "cancelled" or (as_json and summary.status == "failed"):
        print(f"protosmith: {summary.message}", file=sys.stderr)
    return exit_code(summary)


class _RunIdTracker:
    """Passes progress on to the display and remembers the run id (for a hard stop's message)."""

    def __init__(self) -> None:
        self.display: Any = None
        self.run_id = ""
        self.workspace: Path | None = None

    def __call__(self, event: ProgressEvent) -> None:
        self.run_id = event.run_id or self.run_id
        if self.display is not None:
            self.display(event)
