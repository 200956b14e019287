"""Generations run in a child process: ``protosmith generate --json --progress-json``.

A generation is hours of CPU-heavy Python (prompt rendering, journaling, test runs, review)
plus native inference. In the server's own process it would share the interpreter lock with the
event loop and slow every hover and code action; in a child it cannot, and a crash in native code
stays there too. It runs at a lower CPU priority (``priority``), so on a small machine the
server still answers at once. Progress comes back as JSON lines on stderr; cancellation is SIGINT, which the
CLI turns into a clean, resumable stop (SIGKILL only if it does not stop in time).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import Callable

from protosmith.pipeline.api import GenerateOptions, ProgressEvent, RunSummary
from protosmith.priority import lower_priority_of
from protosmith.report.progress import PROGRESS_PREFIX

log = logging.getLogger("protosmith.lsp.generation")

STOP_GRACE_S = 20.0
"""How long a cancelled generation gets to finish its atomic writes before it is killed."""


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


async def _relay(
    stream: asyncio.StreamReader,
    on_progress: Callable[[ProgressEvent], None],
    tail: deque[str],
) -> None:
    async for raw in stream:
        line = raw.decode("utf-8", errors="replace").rstrip()
        if line.startswith(PROGRESS_PREFIX):
            on_progress(ProgressEvent.model_validate_json(line[len(PROGRESS_PREFIX) :]))
        elif line:
            tail.append(line)
            log.info("generate: %s", line)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(process.wait(), STOP_GRACE_S)
    except TimeoutError:
        log.warning("generation %s did not stop after SIGINT; killing it", process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


async def generate_in_child(
    options: GenerateOptions, *, on_progress: Callable[[ProgressEvent], None]
) -> RunSummary:
    """Run one generation in a child process; cancelling this coroutine stops the child cleanly."""
    process = await asyncio.create_subprocess_exec(
        *command_for(options),
        cwd=str(options.workspace),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
        limit=2**24,
    )
    lower_priority_of(process.pid)
    assert process.stdout is not None and process.stderr is not None
    tail: deque[str] = deque(maxlen=20)
    relay = asyncio.create_task(_relay(process.stderr, on_progress, tail))
    try:
        output = await process.stdout.read()
        await relay
        code = await process.wait()
    except asyncio.CancelledError:
        await _stop(process)
        relay.cancel()
        raise
    lines = output.decode("utf-8", errors="replace").strip().splitlines()
    if not lines:
        detail = "\n".join(tail) or "no output"
        raise GenerationFailed(f"protosmith generate exited with code {code}: {detail}")
    summary = RunSummary.model_validate_json(lines[-1])
    if code == 2 and tail:
        summary.message = "invalid spec:\n" + "\n".join(tail)
    return summary
