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

import json
import logging
import sys
from collections.abc import Callable

from protosmith.childproc import ChildCancelled, ChildResult, run_child
from protosmith.pipeline.api import GenerateOptions, ProgressEvent, RunSummary
from protosmith.report.progress import PROGRESS_PREFIX

log = logging.getLogger("protosmith.lsp.generation")


class GenerationFailed(RuntimeError):
    """The child ended without a summary; the message carries the end of its output."""


def command_for(options: GenerateOptions) -> list[str]:
    """The child's command line for ``options``."""
    argv = [sys.executable, "-m", "protosmith", "generate", str(options.spec_path)]
    argv += ["--json", "--progress-json"]
    if options.concurrency:
        argv += ["--concurrency", str(options.concurrency)]
    if options.resume:
        argv += ["--resume", options.resume]
    if options.cli_settings:
        argv += ["--settings-json", json.dumps(options.cli_settings, default=str)]
    return argv


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
    options: GenerateOptions, *, on_progress: Callable[[ProgressEvent], None]
) -> RunSummary:
    """Run one generation in a child process.

    Cancelling this coroutine stops the child's whole group and returns the child's cancelled
    summary, or re-raises the cancellation when it had to be killed before writing one.
    """

    def progress(payload: str) -> None:
        on_progress(ProgressEvent.model_validate_json(payload))

    try:
        result = await run_child(
            command_for(options),
            cwd=options.workspace,
            progress_prefix=PROGRESS_PREFIX,
            on_progress=progress,
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
            raise
        return summary
    summary = _summary(result)
    if summary is None:
        detail = "\n".join(result.tail) or "no output"
        raise GenerationFailed(
            f"protosmith generate exited with code {result.returncode}: {detail}"
        )
    if result.returncode == 2 and result.tail:
        summary.message = "invalid spec:\n" + "\n".join(result.tail)
    return summary
