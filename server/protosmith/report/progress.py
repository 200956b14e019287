"""Progress of a generation in a terminal: a rich live bar on a TTY, plain lines otherwise.

Progress always goes to stderr, so ``generate --json`` keeps stdout for its one JSON object.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

from protosmith.pipeline.api import ProgressEvent


def _tokens(event: ProgressEvent) -> str:
    tokens = event.prompt_tokens + event.completion_tokens
    cost = f", ${event.cost_usd:.4f}" if event.cost_usd else ""
    return f"{tokens} tokens{cost}"


def _count(event: ProgressEvent) -> str:
    """``done/total``; the total is ``?`` until the design says how many tasks there are."""
    return f"{event.done}/{event.total if event.total else '?'}"


HEARTBEAT_S = 30.0
"""After this long without an event, a plain display says the run is still working."""


class PlainProgress:
    """One line per event: ``[done/total] stage: message (N tokens)``; for logs and CI.

    A local model's call can take minutes on a busy machine: when no event came for
    ``heartbeat_s`` seconds a ``still ...`` line says what the run is waiting for.
    """

    def __init__(self, stream: TextIO | None = None, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._heartbeat_s = heartbeat_s
        self._last: ProgressEvent | None = None
        self._since = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="progress-heartbeat", daemon=True)
        self._ticker.start()

    def __call__(self, event: ProgressEvent) -> None:
        line = f"[{_count(event)}] {event.stage}: {event.message} ({_tokens(event)})"
        with self._lock:
            self._last, self._since = event, time.monotonic()
            print(line, file=self.stream, flush=True)

    def _tick(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(min(self._heartbeat_s, 5.0)):
            with self._lock:
                quiet = time.monotonic() - self._since
                if quiet < self._heartbeat_s:
                    continue
                event = self._last
                what = f"{event.stage}: {event.message}" if event is not None else "starting"
                line = f"still working ({time.monotonic() - started:.0f}s in): {what}"
                print(line, file=self.stream, flush=True)
                self._since = time.monotonic()

    def close(self) -> None:
        """Stop the heartbeat."""
        self._stop.set()


PROGRESS_PREFIX = "protosmith-progress: "
"""Marks a machine-readable progress line on stderr (``generate --progress-json``)."""


class JsonProgress:
    """One ``protosmith-progress: {json}`` line per event, for a parent process to relay.

    The language server runs generations as a child process and turns these lines into
    work-done progress, so a generation never competes with the editor's requests.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def __call__(self, event: ProgressEvent) -> None:
        print(PROGRESS_PREFIX + event.model_dump_json(), file=self.stream, flush=True)

    def close(self) -> None:
        """Nothing to tear down."""


class RichProgress:
    """A live bar with stage, tasks done/total, tokens and cost."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=stream if stream is not None else sys.stderr)
        self._progress = Progress(
            TextColumn("[bold]{task.fields[stage]}[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tokens]}"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),  # ticks during a long call, so the screen is never frozen
            console=console,
            transient=False,
        )
        self._task: Any = None
        self._progress.start()

    def __call__(self, event: ProgressEvent) -> None:
        total = event.total or None  # unknown until the architecture is designed
        if self._task is None:
            self._task = self._progress.add_task(
                event.message, total=total, stage=event.stage, tokens=_tokens(event)
            )
        self._progress.update(
            self._task,
            completed=event.done,
            total=total,
            description=event.message[:60],
            stage=event.stage,
            tokens=_tokens(event),
        )

    def close(self) -> None:
        """Stop the live display (leaves the last state on screen)."""
        self._progress.stop()


def progress_display(
    stream: TextIO | None = None, *, rich: bool | None = None, machine: bool = False
) -> PlainProgress | RichProgress | JsonProgress:
    """Rich on a terminal, plain lines when redirected (or as asked), JSON lines for a parent."""
    target = stream if stream is not None else sys.stderr
    if machine:
        return JsonProgress(target)
    use_rich = target.isatty() if rich is None else rich
    return RichProgress(target) if use_rich else PlainProgress(target)
