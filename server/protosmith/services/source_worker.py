"""The per-file static review (editor open, save and typing pauses) in one long-lived child.

An editor reviews the file being edited every time it is saved, and again after each pause in
typing. That work (the taint engine, bandit's AST walk, mapping results) is pure Python: in the
language server's own process it holds the interpreter lock for up to a second on a large file,
and hovers and code actions wait behind it. Here it runs in a single pool worker, started once
(spawned, never forked from the threaded server) at background priority and killed with its
parent, so each review costs no start-up and the server's event loop keeps the interpreter.

One worker is enough: a newer version of a file supersedes the older one before it starts
(``DocumentChecker`` cancels it), and reviews of different files simply queue.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from protosmith.analysis.findings import Finding
from protosmith.priority import die_with_parent, lower_own_priority

log = logging.getLogger(__name__)


class SourceReviewFailed(ChildProcessError):
    """The review worker died (a crash in a native analyzer, the out-of-memory killer)."""


def _start_worker() -> None:
    """Worker initializer: background priority, gone with the server, review code imported."""
    die_with_parent()
    lower_own_priority()
    import protosmith.analysis.review  # noqa: F401  (the first save should not pay the import)


def _ready() -> None:
    """A no-op job: submitting it starts the worker (and its imports) ahead of the first file."""


def _review(path: str, text: str, root: str) -> list[Finding]:
    from protosmith.analysis.review import review_source

    return review_source(Path(path), text, root=Path(root))


class SourceReviewer:
    """Runs ``review_source`` in the worker, starting (or restarting) it when needed."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._started = False
        """Whether a worker has ever run a job (so a later failure is not the platform's)."""
        self._in_process = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                )
            return self._pool

    async def prestart(self) -> None:
        """Start the worker now, so the first file opened is reviewed at once instead of after
        the worker's start-up (about half a second); returns once it is ready."""
        if self._in_process:
            return
        try:
            await asyncio.wrap_future(self._executor().submit(_ready))
        except BrokenProcessPool:
            log.warning("the review worker did not start; files are reviewed when opened")
        else:
            self._started = True

    async def review(self, path: Path, text: str, root: Path) -> list[Finding]:
        """Static findings of one in-memory file, computed in the worker.

        A worker found dead (killed while idle, or by an earlier file) is replaced and the file
        tried once more; a file that kills a fresh worker too is reported, not retried. Where no
        worker has ever started (an interpreter that cannot spawn one, such as a script read from
        stdin), the review runs in a thread of this process instead, as it did before workers."""
        loop = asyncio.get_running_loop()
        if self._in_process:
            return await loop.run_in_executor(None, _review, str(path), text, str(root))
        for attempt in (1, 2):
            pool = self._executor()
            try:
                findings = await loop.run_in_executor(pool, _review, str(path), text, str(root))
            except BrokenProcessPool as error:
                self._discard(pool)
                log.warning("the review worker stopped (attempt %d for %s)", attempt, path.name)
                if attempt == 1:
                    continue
                if not self._started:
                    log.error("no review worker can start here; reviewing in-process from now on")
                    self._in_process = True
                    return await loop.run_in_executor(None, _review, str(path), text, str(root))
                raise SourceReviewFailed(
                    f"the review worker stopped while reviewing {path.name}; "
                    "the next save starts a new one"
                ) from error
            self._started = True
            return findings
        raise AssertionError("unreachable")

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker (server shutdown); queued reviews are dropped."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
