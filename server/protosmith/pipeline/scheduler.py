"""Run a task graph concurrently: ready tasks first by critical path, within a concurrency cap.

A task starts only when every dependency is done. A failure skips only the tasks that depend
on it (transitively); independent work continues. A spent budget stops new work and lets the
graph end cleanly. Cancelling the coroutine cancels in-flight tasks at once and returns only
when every one of them has ended: nothing of a cancelled run keeps running (or writing) after
the run has recorded that it stopped.

The loop does O(log n) work per task (a heap of ready tasks and one queue of completions),
so scheduling costs microseconds next to LLM calls that take seconds.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from protosmith.graph import (
    critical_path_lengths,
    dependants_of,
    describe_cycle,
    find_cycle,
    transitive_dependants,
)
from protosmith.pipeline.budget import BudgetExceeded

log = logging.getLogger(__name__)

Status = Literal["done", "failed", "skipped", "cancelled"]
CANCEL_RETRY_S = 0.5
"""How often a cancelled run cancels again the in-flight tasks that have not ended yet."""


@dataclass
class Task:
    """One unit of work: ``run`` is called once, after every task in ``deps`` is done."""

    id: str
    run: Callable[[], Awaitable[Any]]
    deps: frozenset[str] = frozenset()
    cost: float = 1.0
    """Expected duration (any unit, e.g. tokens); drives critical-path-first ordering."""
    kind: str = ""


@dataclass
class TaskOutcome:
    """How a task ended. ``started``/``finished`` are ``time.perf_counter()`` readings."""

    id: str
    status: Status
    result: Any = None
    error: BaseException | None = None
    started: float = 0.0
    finished: float = 0.0
    detail: str = ""
    """Why a task was skipped or cancelled (e.g. which dependency failed)."""

    @property
    def duration(self) -> float:
        return max(0.0, self.finished - self.started)


EventCallback = Callable[[str, Task, TaskOutcome | None], None]


def effective_concurrency(requested: int | None, parallel_slots: int) -> int:
    """Tasks in flight: what was asked for, never more than the backend can serve at once."""
    slots = max(1, parallel_slots)
    return max(1, min(requested, slots)) if requested else slots


def validate(tasks: list[Task]) -> None:
    """Raise ``ValueError`` for duplicate ids, unknown dependencies or cycles."""
    ids: set[str] = set()
    for task in tasks:
        if task.id in ids:
            raise ValueError(f"duplicate task id {task.id!r}")
        ids.add(task.id)
    for task in tasks:
        unknown = sorted(set(task.deps) - ids)
        if unknown:
            raise ValueError(f"task {task.id!r} depends on unknown task(s): {', '.join(unknown)}")
    cycle = find_cycle({task.id: task.deps for task in tasks})
    if cycle:
        raise ValueError(f"task graph has a cycle: {describe_cycle(cycle)}")


async def _invoke(task: Task) -> Any:
    return await task.run()


class _Run:
    """The state of one ``run_graph`` call."""

    def __init__(self, tasks: list[Task], concurrency: int, on_event: EventCallback | None):
        self.tasks = {task.id: task for task in tasks}
        self.concurrency = concurrency
        self.on_event = on_event
        self.order = {task.id: index for index, task in enumerate(tasks)}
        self.priority = critical_path_lengths(tasks)
        self.dependants = dependants_of(tasks)
        self.waiting = {task.id: len(task.deps) for task in tasks}
        self.ready: list[tuple[float, int, str]] = []
        self.running: dict[asyncio.Task[Any], Task] = {}
        self.started: dict[str, float] = {}
        self.outcomes: dict[str, TaskOutcome] = {}
        self.completed: asyncio.Queue[asyncio.Task[Any]] = asyncio.Queue()
        self.stop: BudgetExceeded | None = None
        for task in tasks:
            if not task.deps:
                self._push(task.id)

    def _push(self, task_id: str) -> None:
        heapq.heappush(self.ready, (-self.priority[task_id], self.order[task_id], task_id))

    def _emit(self, name: str, task: Task, outcome: TaskOutcome | None) -> None:
        if self.on_event is not None:
            self.on_event(name, task, outcome)

    def _settle(self, outcome: TaskOutcome) -> None:
        self.outcomes[outcome.id] = outcome
        self._emit("finished", self.tasks[outcome.id], outcome)

    def start_ready(self) -> None:
        while self.ready and self.stop is None and len(self.running) < self.concurrency:
            _, _, task_id = heapq.heappop(self.ready)
            task = self.tasks[task_id]
            self.started[task_id] = time.perf_counter()
            self._emit("started", task, None)
            handle = asyncio.create_task(_invoke(task), name=f"protosmith:{task_id}")
            self.running[handle] = task
            handle.add_done_callback(self.completed.put_nowait)

    def complete(self, handle: asyncio.Task[Any]) -> None:
        task = self.running.pop(handle)
        now = time.perf_counter()
        begun = self.started[task.id]
        if handle.cancelled():
            self._settle(TaskOutcome(task.id, "cancelled", None, None, begun, now, "cancelled"))
            self._skip_dependants(task.id, "cancelled")
            return
        error = handle.exception()
        if error is None:
            self._settle(TaskOutcome(task.id, "done", handle.result(), None, begun, now))
            for dependant in self.dependants.get(task.id, ()):
                self.waiting[dependant] -= 1
                if self.waiting[dependant] == 0:
                    self._push(dependant)
            return
        if isinstance(error, BudgetExceeded):
            if self.stop is None:
                self.stop = error
            self._settle(TaskOutcome(task.id, "cancelled", None, error, begun, now, str(error)))
            return
        log.debug("task %s failed", task.id, exc_info=error)
        self._settle(TaskOutcome(task.id, "failed", None, error, begun, now, str(error)))
        self._skip_dependants(task.id, "failed")

    def _skip_dependants(self, task_id: str, why: str) -> None:
        now = time.perf_counter()
        for dependant in transitive_dependants(task_id, self.dependants):
            if dependant not in self.outcomes:
                detail = f"dependency {task_id} {why}"
                self._settle(TaskOutcome(dependant, "skipped", None, None, now, now, detail))

    def cancel_rest(self, detail: str, *, notify: bool) -> None:
        now = time.perf_counter()
        for task_id in self.tasks:
            if task_id not in self.outcomes:
                outcome = TaskOutcome(task_id, "cancelled", None, None, now, now, detail)
                if notify:
                    self._settle(outcome)
                else:
                    self.outcomes[task_id] = outcome


async def run_graph(
    tasks: list[Task],
    *,
    concurrency: int,
    on_event: EventCallback | None = None,
) -> dict[str, TaskOutcome]:
    """Run ``tasks`` respecting ``deps``, at most ``concurrency`` at a time; outcomes by id.

    Raises ``ValueError`` before running anything when the graph is invalid. Re-raises
    :class:`BudgetExceeded` (with ``.outcomes``) after in-flight tasks end, and
    ``CancelledError`` after cancelling in-flight tasks.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    validate(tasks)
    run = _Run(tasks, concurrency, on_event)
    try:
        run.start_ready()
        while run.running:
            handle = await run.completed.get()
            run.complete(handle)
            run.start_ready()
    except BaseException:
        await _abandon(run)
        raise
    if run.stop is not None:
        run.cancel_rest(f"not started: {run.stop.limit} budget spent", notify=True)
        run.stop.outcomes = dict(run.outcomes)
        raise run.stop
    return run.outcomes


async def _abandon(run: _Run) -> None:
    """Cancel in-flight tasks (cancellation, or an error raised by ``on_event``) and wait for them.

    A task can absorb one cancellation (``asyncio.wait_for`` in Python 3.11 returns the result
    when the inner call finishes as the cancel arrives, and code that catches
    ``CancelledError`` to clean up may await again), so the cancel is repeated until each has
    ended. A second cancellation of the caller stops waiting.
    """
    pending = set(run.running)
    while pending:
        for handle in pending:
            handle.cancel()
        _, pending = await asyncio.wait(pending, timeout=CANCEL_RETRY_S)
        if pending:
            log.debug("still unwinding: %s", ", ".join(run.running[h].id for h in pending))
    now = time.perf_counter()
    for task in list(run.running.values()):
        begun = run.started.get(task.id, now)
        run.outcomes[task.id] = TaskOutcome(
            task.id, "cancelled", None, None, begun, now, "run cancelled"
        )
    run.running.clear()
    run.cancel_rest("run cancelled", notify=False)
