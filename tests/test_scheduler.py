"""The task graph and scheduler: ordering, concurrency, failure isolation, budget, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from protosmith.graph import (
    critical_path_bound,
    critical_path_lengths,
    find_cycle,
    topological_order,
)
from protosmith.llm.base import Usage
from protosmith.pipeline.budget import Accountant, BudgetExceeded
from protosmith.pipeline.scheduler import (
    Task,
    TaskOutcome,
    effective_concurrency,
    run_graph,
)
from protosmith.spec.model import Budget


class Recorder:
    """Collects scheduler events and the order tasks ran in."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.outcomes: dict[str, TaskOutcome] = {}

    def __call__(self, name: str, task: Task, outcome: TaskOutcome | None) -> None:
        self.events.append((name, task.id))
        if outcome is not None:
            self.outcomes[task.id] = outcome


def returning(value: Any) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        await asyncio.sleep(0)
        return value

    return run


def failing(error: BaseException) -> Callable[[], Awaitable[Any]]:
    async def run() -> Any:
        await asyncio.sleep(0)
        raise error

    return run


# --- graph algorithms ------------------------------------------------------------------


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    cycle = find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]})
    assert cycle is not None and sorted(cycle) == ["a", "b", "c"]
    assert find_cycle({"x": ["x"]}) == ["x"]
    assert find_cycle({"a": ["missing"]}) is None


def test_deep_chain_has_no_recursion_limit() -> None:
    edges = {f"n{i}": [f"n{i - 1}"] if i else [] for i in range(5000)}
    assert find_cycle(edges) is None
    assert topological_order(edges)[:2] == ["n0", "n1"]


def test_topological_order() -> None:
    order = topological_order({"d": ["b", "c"], "b": ["a"], "c": ["a"], "a": []})
    assert order.index("a") < order.index("b") < order.index("d")
    assert order.index("c") < order.index("d")
    with pytest.raises(ValueError, match="cycle"):
        topological_order({"a": ["b"], "b": ["a"]})


def test_critical_path_lengths() -> None:
    tasks = [
        Task("a", returning(1), cost=2),
        Task("b", returning(1), deps=frozenset({"a"}), cost=5),
        Task("c", returning(1), deps=frozenset({"a"}), cost=1),
        Task("d", returning(1), deps=frozenset({"b", "c"}), cost=3),
    ]
    assert critical_path_lengths(tasks) == {"a": 10, "b": 8, "c": 4, "d": 3}
    assert critical_path_bound(tasks) == 10
    assert critical_path_bound([]) == 0


# --- validation ------------------------------------------------------------------------


async def test_invalid_graphs_raise_before_running() -> None:
    ran: list[str] = []

    async def mark() -> None:
        ran.append("x")

    with pytest.raises(ValueError, match="unknown"):
        await run_graph([Task("a", mark, deps=frozenset({"ghost"}))], concurrency=2)
    with pytest.raises(ValueError, match="cycle"):
        await run_graph(
            [
                Task("free", mark),
                Task("a", mark, deps=frozenset({"b"})),
                Task("b", mark, deps=frozenset({"a"})),
            ],
            concurrency=2,
        )
    with pytest.raises(ValueError, match="duplicate"):
        await run_graph([Task("a", mark), Task("a", mark)], concurrency=1)
    with pytest.raises(ValueError, match="concurrency"):
        await run_graph([Task("a", mark)], concurrency=0)
    assert ran == []
    assert await run_graph([], concurrency=1) == {}


# --- ordering and concurrency ----------------------------------------------------------


async def test_diamond_respects_dependencies() -> None:
    recorder = Recorder()
    tasks = [
        Task("bottom", returning("bottom"), deps=frozenset({"left", "right"})),
        Task("left", returning("left"), deps=frozenset({"top"})),
        Task("right", returning("right"), deps=frozenset({"top"})),
        Task("top", returning("top")),
    ]
    outcomes = await run_graph(tasks, concurrency=4, on_event=recorder)
    assert {o.status for o in outcomes.values()} == {"done"}
    assert outcomes["bottom"].result == "bottom"
    position = {event: index for index, event in enumerate(recorder.events)}
    for task in tasks:
        for dep in task.deps:
            assert position[("finished", dep)] < position[("started", task.id)]
            assert outcomes[dep].finished <= outcomes[task.id].started


async def test_independent_tasks_overlap_up_to_the_limit() -> None:
    in_flight = 0
    peak = 0
    four_running = asyncio.Event()

    async def work() -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 4:
            four_running.set()
        await four_running.wait()  # nobody finishes until four ran at once
        in_flight -= 1

    tasks = [Task(f"t{i}", work) for i in range(10)]
    outcomes = await asyncio.wait_for(run_graph(tasks, concurrency=4), timeout=10)
    assert peak == 4
    assert all(o.status == "done" for o in outcomes.values())


async def test_concurrency_one_is_sequential() -> None:
    active = 0
    overlaps = 0

    async def work() -> None:
        nonlocal active, overlaps
        active += 1
        overlaps += active > 1
        await asyncio.sleep(0)
        active -= 1

    await run_graph([Task(f"t{i}", work) for i in range(6)], concurrency=1)
    assert overlaps == 0


async def test_critical_path_goes_first() -> None:
    recorder = Recorder()
    tasks = [
        Task("short", returning(1), cost=1),
        Task("long-head", returning(1), cost=1),
        Task("long-tail", returning(1), deps=frozenset({"long-head"}), cost=10),
    ]
    await run_graph(tasks, concurrency=1, on_event=recorder)
    assert next(tid for name, tid in recorder.events if name == "started") == "long-head"


# --- failures, budget, cancellation ----------------------------------------------------


async def test_failure_skips_only_dependants() -> None:
    recorder = Recorder()
    tasks = [
        Task("iface:a", returning(1)),
        Task("impl:a", failing(RuntimeError("model gave up")), deps=frozenset({"iface:a"})),
        Task("tests:a", returning(1), deps=frozenset({"impl:a"})),
        Task("review:a", returning(1), deps=frozenset({"tests:a"})),
        Task("iface:b", returning(1)),
        Task("impl:b", returning("b"), deps=frozenset({"iface:b", "iface:a"})),
    ]
    outcomes = await run_graph(tasks, concurrency=2, on_event=recorder)
    status = {tid: o.status for tid, o in outcomes.items()}
    assert status == {
        "iface:a": "done",
        "impl:a": "failed",
        "tests:a": "skipped",
        "review:a": "skipped",
        "iface:b": "done",
        "impl:b": "done",
    }
    assert isinstance(outcomes["impl:a"].error, RuntimeError)
    assert "impl:a failed" in outcomes["review:a"].detail
    assert ("started", "tests:a") not in recorder.events
    assert recorder.outcomes["tests:a"].status == "skipped"  # reported, not silent


async def test_budget_exceeded_stops_new_work_cleanly() -> None:
    accountant = Accountant(Budget(max_tokens=10))
    second_started = asyncio.Event()
    release = asyncio.Event()
    started: list[str] = []

    def llm_task(name: str, tokens: int) -> Callable[[], Awaitable[str]]:
        async def run() -> str:
            started.append(name)
            accountant.check()  # what CachingBackend does before a real call
            if name == "b":
                second_started.set()
                await release.wait()
            accountant.add(name, Usage(prompt_tokens=tokens))
            return name

        return run

    async def spend_then_release() -> str:
        started.append("a")
        accountant.check()
        await second_started.wait()
        accountant.add("a", Usage(prompt_tokens=50))
        release.set()
        return "a"

    tasks = [
        Task("a", spend_then_release, cost=3),
        Task("b", llm_task("b", 1), cost=2),
        Task("c", llm_task("c", 1), deps=frozenset({"a"})),
        Task("d", llm_task("d", 1), deps=frozenset({"c"})),
        Task("e", llm_task("e", 1), cost=1),
    ]
    with pytest.raises(BudgetExceeded) as caught:
        await run_graph(tasks, concurrency=2)
    outcomes = caught.value.outcomes
    assert outcomes is not None
    status = {tid: o.status for tid, o in outcomes.items()}
    assert status["a"] == "done" and status["b"] == "done"  # in-flight work finished
    assert status["c"] == "cancelled" and isinstance(outcomes["c"].error, BudgetExceeded)
    assert status["d"] == "cancelled" and status["e"] == "cancelled"
    assert "d" not in started  # never started once the budget was spent


async def test_cancelling_the_run_cancels_in_flight_tasks() -> None:
    both_running = asyncio.Event()
    cancelled: list[str] = []
    running = 0

    async def hang(name: str) -> None:
        nonlocal running
        running += 1
        if running == 2:
            both_running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(name)
            raise

    def hanging(name: str) -> Callable[[], Awaitable[None]]:
        return lambda: hang(name)

    tasks = [
        Task("x", hanging("x")),
        Task("y", hanging("y")),
        Task("z", hanging("z"), deps=frozenset({"x"})),
    ]
    run = asyncio.create_task(run_graph(tasks, concurrency=4))
    await both_running.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert sorted(cancelled) == ["x", "y"]


async def test_a_task_cancelled_from_inside_skips_its_dependants() -> None:
    tasks = [
        Task("a", failing(asyncio.CancelledError())),
        Task("b", returning(1), deps=frozenset({"a"})),
        Task("c", returning(1)),
    ]
    outcomes = await run_graph(tasks, concurrency=2)
    assert {tid: o.status for tid, o in outcomes.items()} == {
        "a": "cancelled",
        "b": "skipped",
        "c": "done",
    }


async def test_a_failing_event_callback_stops_the_run() -> None:
    release = asyncio.Event()
    cancelled: list[str] = []

    async def wait() -> None:
        try:
            await release.wait()
        except asyncio.CancelledError:
            cancelled.append("slow")
            raise

    def callback(name: str, task: Task, outcome: TaskOutcome | None) -> None:
        if name == "finished":
            raise RuntimeError("listener broke")

    tasks = [Task("slow", wait), Task("quick", returning(1))]
    with pytest.raises(RuntimeError, match="listener broke"):
        await run_graph(tasks, concurrency=2, on_event=callback)
    assert cancelled == ["slow"]


def test_effective_concurrency() -> None:
    assert effective_concurrency(8, 1) == 1
    assert effective_concurrency(2, 8) == 2
    assert effective_concurrency(None, 4) == 4
    assert effective_concurrency(0, 0) == 1
