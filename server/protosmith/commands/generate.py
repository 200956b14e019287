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
import json
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


def _check(spec_path: Path) -> list[str]:
    """Check-style problem lines, empty when the spec is valid."""
    from protosmith.pipeline.service import SpecInvalid, load

    try:
        load(spec_path)
    except SpecInvalid as error:
        return error.problems
    return []


def run(args: argparse.Namespace) -> int:
    """Validate the spec, run the pipeline with a progress display, print the summary."""
    _configure_logging()
    seen = _RunIdTracker()

    def hard_stop(code: int) -> None:
        """The clean stop did not come: remove our temporary copies, say how to resume."""
        from protosmith import scratch

        scratch.remove_root()
        print(f"protosmith: stopped; {_resume_hint(seen.run_id)}", file=sys.stderr)
        if args.json:
            stopped = RunSummary(run_id=seen.run_id, status="cancelled", message="stopped")
            print(stopped.model_dump_json(), flush=True)

    # Installed first, whatever SIGINT's inherited disposition: see ``protosmith.interrupts``.
    with Interruptible(hard_stop) as guard:
        if getattr(args, "progress_json", False):  # a parent relays our progress (the server):
            die_with_parent(signal.SIGINT)  # if it dies, stop cleanly rather than run on alone
        return _run(args, guard, seen)


def _resume_hint(run_id: str) -> str:
    return f"run `protosmith generate --resume {run_id or 'last'}` to continue"


def _run(args: argparse.Namespace, guard: Interruptible, seen: _RunIdTracker) -> int:
    spec_path = Path(args.spec).resolve()
    problems = _check(spec_path)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        if args.json:
            failed = RunSummary(run_id="", status="failed", message="invalid spec")
            print(failed.model_dump_json())
        return ExitCode.INVALID_SPEC
    workspace = spec_path.parent
    resume = args.resume
    if resume == "last":
        from protosmith.pipeline.journal import latest_run

        resume = latest_run(workspace)
        if resume is None:
            print(
                f"protosmith: there is no run to resume in {workspace}; "
                "run `protosmith generate` to start one",
                file=sys.stderr,
            )
            return ExitCode.FAILED
    if getattr(args, "redo", False) and not resume:
        print("protosmith: --redo needs --resume RUN (or --resume last)", file=sys.stderr)
        return ExitCode.INVALID_SPEC
    from protosmith.settings import SettingsOverrides

    cli_settings: dict[str, object] = dict(SettingsOverrides.from_args(args).command_line)
    if getattr(args, "settings_json", None):
        cli_settings.update(json.loads(args.settings_json))
    options = GenerateOptions(
        spec_path=spec_path,
        workspace=workspace,
        concurrency=args.concurrency,
        resume=resume,
        redo=bool(getattr(args, "redo", False)),
        cli_settings=cli_settings,
    )
    from protosmith.pipeline.service import generate
    from protosmith.report.progress import progress_display

    display = progress_display(machine=getattr(args, "progress_json", False))
    seen.display = display
    try:
        summary = guard.run(generate(options, progress=seen))
    except asyncio.CancelledError:  # interrupted before the pipeline could record anything
        summary = RunSummary(
            run_id=seen.run_id,
            status="cancelled",
            message=f"interrupted; {_resume_hint(seen.run_id)}",
        )
    if not guard.finish():  # a hard stop is under way and prints its own summary
        return ExitCode.INTERRUPTED
    display.close()
    if args.json:
        print(summary.model_dump_json())
    else:
        _print_text(summary)
    if summary.status == "cancelled" or (args.json and summary.status == "failed"):
        print(f"protosmith: {summary.message}", file=sys.stderr)
    return exit_code(summary)


class _RunIdTracker:
    """Passes progress on to the display and remembers the run id (for a hard stop's message)."""

    def __init__(self) -> None:
        self.display: Any = None
        self.run_id = ""

    def __call__(self, event: ProgressEvent) -> None:
        self.run_id = event.run_id or self.run_id
        if self.display is not None:
            self.display(event)
