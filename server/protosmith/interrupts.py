"""Ctrl-C and SIGTERM for a long CLI run: a clean stop first, a hard one if that does not come.

Python turns SIGINT into ``KeyboardInterrupt`` (and ``asyncio.run`` into a cancellation) only
when the process *inherited* the default disposition. Anything started in the background by a
non-interactive shell (a script, a CI step, a container's entry point, a test suite run with
``&``) inherits "ignore SIGINT", Python keeps it, and then Ctrl-C or ``kill -INT`` (how the
language server stops a generation) does nothing at all: the run goes on to the end. That, not
the load on the machine, is why cancelled generations used to finish and record "succeeded". A
run therefore installs its own handlers, whatever it inherited:

- the first SIGINT cancels the run's main task: the pipeline cancels its tasks, kills their
  processes, journals the stop and returns its "cancelled" summary;
- a second SIGINT, a SIGTERM, or a clean stop that takes longer than ``HARD_STOP_S`` ends the
  process at once, after ``on_hard_stop`` (remove temporary copies, say what is known); helpers
  started with a parent-death signal (sandboxed runs, the model worker) die with it.

The handlers are plain ``signal.signal`` handlers, not event-loop callbacks, so they run even
while the loop is stuck in a long synchronous call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from types import FrameType, TracebackType
from typing import Any, TypeVar

from protosmith.exit_codes import killed_by

log = logging.getLogger(__name__)

T = TypeVar("T")
HARD_STOP_S = 20.0
"""How long a clean stop may take after the first SIGINT before the process ends anyway."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interruptible:
    """Runs one coroutine with the stop handlers installed; use as a context manager.

    ``on_hard_stop(exit_code)`` runs once, just before a hard exit; it must be quick and must
    not rely on the event loop.
    """

    def __init__(
        self, on_hard_stop: Callable[[int], None], *, hard_stop_s: float = HARD_STOP_S
    ) -> None:
        self.on_hard_stop = on_hard_stop
        self.hard_stop_s = hard_stop_s
        self.interrupted = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._ending = threading.Lock()
        self._finished = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interruptible:
        if threading.current_thread() is threading.main_thread():  # only there can Python
            for sig in STOP_SIGNALS:  # install handlers; elsewhere the caller owns signals
                self._previous[sig] = signal.signal(sig, self._on_signal)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.finish()
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """Run ``main`` to its end on a new event loop; a first SIGINT cancels it."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            asyncio.set_event_loop(loop)
            self._task = loop.create_task(main)
            if self.interrupted:  # Ctrl-C came before the loop existed
                self._task.cancel()
            return loop.run_until_complete(self._task)
        finally:
            try:
                _cancel_all(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                self._loop = None

    def finish(self) -> bool:
        """No hard stop from now on (call before printing the result); False if one began."""
        if self._finished:
            return True
        if not self._ending.acquire(timeout=1.0):
            return False
        self._finished = True
        return True

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._finished:
            return
        if signum == signal.SIGINT and not self.interrupted:
            self.interrupted = True
            with contextlib.suppress(RuntimeError, OSError):  # stderr busy in the main thread
                print("protosmith: stopping (Ctrl-C again to stop at once)", file=sys.stderr)
            loop, task = self._loop, self._task
            if loop is not None and task is not None and not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)
            watchdog = threading.Timer(self.hard_stop_s, self._hard_stop, (killed_by(signum),))
            watchdog.daemon = True
            watchdog.start()
            return
        self._hard_stop(killed_by(signum))

    def _hard_stop(self, code: int) -> None:
        # From the signal handler (main thread) or the watchdog: never block on the lock, a
        # main thread holding it is already finishing normally.
        if not self._ending.acquire(blocking=False):
            return
        if self._finished:
            self._ending.release()
            return
        try:
            self.on_hard_stop(code)
        except Exception:  # the exit must happen whatever the clean-up does
            log.exception("clean-up before a hard stop failed")
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks still pending and let them unwind (what ``asyncio.run`` does)."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not pending:
        return
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
