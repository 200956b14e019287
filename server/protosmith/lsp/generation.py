"""Generations run in a child process: ``protosmith generate --json --progress-json``.

A generation is hours of CPU-heavy Python (prompt rendering, journaling, test runs, review)
plus native inference. In the server's own process it would share the interpreter lock with the
event loop and slow every hover and code action; in a child it cannot, and a crash in native code
stays there too. The child is started and stopped by ``childproc``: its own process group at
background priority, progress as JSON lines on stderr, the summary as the last line of stdout.
Cancelling stops the whole group (SIGINT for the CLI's clean, resumable stop, then SIGTERM, then
SIGKILL), and the summary returned is the child's own when it managed to write one, so the run is
reported cancelled only once nothing of it runs any more.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from protosmith.childproc import (
    INTERRUPT_GRACE_S,
    TERMINATE_GRACE_S,
    ChildCancelled,
    ChildResult,
    run_child,
)
from protosmith.pipeline.api import GenerateOptions, ProgressEvent, RunSummary
from protosmith.pipeline.journal import list_runs
from protosmith.pipeline.stopped import record_cancelled
from protosmith.report.progress import PROGRESS_PREFIX

log = logging.getLogger("protosmith.lsp.generation")


class GenerationFailed(RuntimeError):
    """The child ended without a summary; the message carries the end of its output."""


CHILD_COMMAND = [sys.executable, "-m", "protosmith", "generate", "--child"]
"""The child reads its :class:`GenerateOptions` as one JSON object on stdin."""


def _summary(result: ChildResult) -> RunSummary | None:
    lines = result.stdout.decode("utf-8", errors="replace").strip().splitlines()
    if not lines:
        return None
    try:
        return RunSummary.model_validate_json(lines[-1])
    except ValueError:
        log.warning("generation printed no summary: %s", lines[-1][:200])
        return None


async def generate_in_child(
    options: GenerateOptions,
    *,
    on_progress: Callable[[ProgressEvent], None],
    interrupt_grace_s: float = INTERRUPT_GRACE_S,
    terminate_grace_s: float = TERMINATE_GRACE_S,
) -> RunSummary:
    """Run one generation in a child process.

    Cancelling this coroutine stops the child's whole group and returns the child's cancelled
    summary, or re-raises the cancellation when it had to be killed before writing one; the
    run is then recorded as cancelled here (:func:`record_cancelled`), since the child could
    not do it.
    """
    seen: list[str] = []
    # A child killed before its first event: its run is the one that was not there before.
    earlier = set(list_runs(options.workspace))

    def progress(payload: str) -> None:
        event = ProgressEvent.model_validate_json(payload)
        if event.run_id and not seen:
            seen.append(event.run_id)
        on_progress(event)

    try:
        result = await run_child(
            CHILD_COMMAND,
            request=options.model_dump_json().encode("utf-8"),
            cwd=options.workspace,
            progress_prefix=PROGRESS_PREFIX,
            on_progress=progress,
            interrupt_grace_s=interrupt_grace_s,
            terminate_grace_s=terminate_grace_s,
            name="generate",
        )
    except ChildCancelled as stopped:
        summary = _summary(stopped.result)
        log.info(
            "generation stopped in %ss (exit %s, %s)",
            stopped.result.stop_s,
            stopped.result.returncode,
            summary.status if summary else "no summary",
        )
        if summary is None:
            started = seen or [r for r in list_runs(options.workspace) if r not in earlier]
            if not started and options.resume:
                started = [options.resume]
            if len(started) == 1:
                record_cancelled(options.workspace, started[0])
            raise
        return summary
    summary = _summary(result)
    if summary is None:
        detail = "\n".join(result.tail) or "no output"
        raise GenerationFailed(
            f"protosmith generate exited with code {result.returncode}: {detail}"
        )
    if summary.status == "failed" and summary.failed_step.startswith("backend: "):
        # The backend cannot be built at all: an error with its fix, as for any command.
        raise GenerationFailed(summary.failed_step.removeprefix("backend: "))
    if result.returncode == 2 and result.tail:
        summary.message = "invalid spec:\n" + "\n".join(result.tail)
    return summary
