"""The run registry: long work (generate, review, refine) as cancellable asyncio tasks.

A command handler awaits :meth:`RunRegistry.execute`, which runs the work as its own task so the
server keeps answering other requests. Three ways stop a run, all ending in ``task.cancel()``:

* the progress cancel button (``window/workDoneProgress/cancel`` cancels the token's future),
* ``$/cancelRequest`` of the executeCommand request (pygls runs the command as a separate task and
  only cancels its outer future, so :class:`~protosmith.lsp.protocol.ProtosmithProtocol` forwards
  the request id here),
* the ``protosmith.cancel`` command.

The work itself decides what a cancelled run leaves behind (the pipeline journals every step so a
cancelled run is resumable); the registry records the status and the final result.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

log = logging.getLogger("protosmith.lsp.runs")
MAX_FINISHED = 50


@dataclass
class Run:
    """One background run and what is known about it."""

    run_id: str
    kind: str
    folder: Path
    title: str
    started: float = field(default_factory=time.time)
    status: str = "running"
    pipeline_run_id: str | None = None
    """The pipeline's own run id (its journal folder), once it reports one."""
    result: Any = None
    token: str | None = None
    request_id: Any = None
    task: asyncio.Task[Any] | None = None
    last_message: str = ""
    percentage: int = 0

    def describe(self) -> dict[str, Any]:
        """What ``protosmith.showRun`` returns about a run."""
        described: dict[str, Any] = {
            "run_id": self.run_id,
            "pipeline_run_id": self.pipeline_run_id,
            "kind": self.kind,
            "title": self.title,
            "folder": str(self.folder),
            "status": self.status,
            "started": self.started,
            "message": self.last_message,
            "result": self.result,
        }
        if self.status == "running":  # progress means something only while it runs
            described["percentage"] = self.percentage
        return described


Work = Callable[[Run], Awaitable[Any]]


class RunRegistry:
    """Starts, tracks, reports and cancels runs for one server."""

    def __init__(self, server: LanguageServer) -> None:
        self._server = server
        self.runs: dict[str, Run] = {}

    async def execute(self, kind: str, folder: Path, title: str, work: Work) -> tuple[Run, Any]:
        """Run ``work`` as a task with progress; return the run and the work's result.

        A cancelled run returns ``(run, None)`` with ``run.status == "cancelled"``; only the
        cancellation of the calling command itself (server shutdown) propagates.
        """
        run = Run(f"{kind}-{uuid.uuid4().hex[:8]}", kind, folder, title)
        run.request_id = self._server.protocol.msg_id
        self._remember(run)
        await self._begin_progress(run)
        run.task = asyncio.ensure_future(work(run))
        log.info("%s started (%s)", run.run_id, title)
        try:
            result = await asyncio.shield(run.task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                run.task.cancel()
                self._finish(run, "cancelled", "Cancelled")
                raise
            self._finish(run, "cancelled", "Cancelled")
            return run, None
        except Exception as error:
            self._finish(run, "failed", f"Failed: {error}")
            raise
        # The child stopped, or failed (an invalid spec), and said so in its summary: the
        # progress ends as the run did, not "Done".
        status = getattr(result, "status", None)
        if status == "cancelled":
            self._finish(run, "cancelled", "Cancelled")
        elif status == "failed":
            self._finish(run, "failed", "Failed")
        else:
            self._finish(run, "finished", "Done")
        return run, result

    def _finish(self, run: Run, status: str, message: str) -> None:
        run.status = status
        log.info("%s %s", run.run_id, status)
        self._end_progress(run, message)

    def _remember(self, run: Run) -> None:
        self.runs[run.run_id] = run
        finished = [r for r in self.runs.values() if r.status != "running"]
        for old in finished[: max(0, len(finished) - MAX_FINISHED)]:
            self.runs.pop(old.run_id, None)

    async def _begin_progress(self, run: Run) -> None:
        window = self._server.client_capabilities.window
        if window is None or not window.work_done_progress:
            return
        token = f"protosmith/{run.run_id}"
        try:
            await self._server.work_done_progress.create_async(token)
        except (JsonRpcException, RuntimeError) as error:
            log.warning("client refused progress token for %s: %s", run.run_id, error)
            return
        run.token = token
        future = self._server.work_done_progress.tokens[token]
        loop = asyncio.get_running_loop()
        future.add_done_callback(
            lambda f: loop.call_soon_threadsafe(self._cancel_from_progress, run)
        )
        self._server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=run.title, message="starting", percentage=0, cancellable=True
            ),
        )

    def _cancel_from_progress(self, run: Run) -> None:
        future = self._server.work_done_progress.tokens.get(run.token or "")
        if future is not None and future.cancelled():
            self.cancel_run(run, "progress cancel")

    def report(self, run: Run, message: str, percentage: int | None = None) -> None:
        """Send a progress report (stage message and percentage) for a running run."""
        run.last_message = message
        if percentage is not None:
            run.percentage = max(0, min(100, percentage))
        if run.token is not None and run.status == "running":
            self._server.work_done_progress.report(
                run.token,
                types.WorkDoneProgressReport(
                    message=message, percentage=run.percentage, cancellable=True
                ),
            )

    def _end_progress(self, run: Run, message: str) -> None:
        if run.token is None:
            return
        self._server.work_done_progress.end(run.token, types.WorkDoneProgressEnd(message=message))
        self._server.work_done_progress.tokens.pop(run.token, None)
        run.token = None

    def cancel_run(self, run: Run, reason: str) -> bool:
        """Cancel one run's task; True when it was still running."""
        if run.task is None or run.task.done():
            return False
        log.info("cancelling %s (%s)", run.run_id, reason)
        run.task.cancel()
        return True

    def cancel(self, run_id: str | None = None) -> list[str]:
        """Cancel the named run (by our id or the pipeline's), or every running run."""
        matches = [
            run
            for run in self.runs.values()
            if run_id is None or run_id in (run.run_id, run.pipeline_run_id)
        ]
        return [run.run_id for run in matches if self.cancel_run(run, "protosmith.cancel")]

    def cancel_request(self, request_id: Any) -> None:
        """``$/cancelRequest`` for an executeCommand: cancel the run it started."""
        for run in self.runs.values():
            if run.request_id is not None and run.request_id == request_id:
                self.cancel_run(run, "$/cancelRequest")

    def find(self, run_id: str | None) -> Run | None:
        """A run by either id; the most recent one when no id is given."""
        if run_id is None:
            return max(self.runs.values(), key=lambda run: run.started, default=None)
        return next(
            (r for r in self.runs.values() if run_id in (r.run_id, r.pipeline_run_id)), None
        )

    def active(self) -> list[Run]:
        """Runs still in flight."""
        return [run for run in self.runs.values() if run.status == "running"]
