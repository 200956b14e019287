"""The scheduler benchmark's own measuring tools: graph width and the ideal list schedule."""

from __future__ import annotations

import pytest

from bench.scheduler import (
    DEFAULT_RATES,
    Rates,
    graph_width,
    make_components,
    make_tasks,
    simulate_list_schedule,
)
from protosmith.graph import critical_path_bound
from protosmith.pipeline.scheduler import Task


async def _noop() -> None:
    return None


def _task(task_id: str, deps: tuple[str, ...] = (), cost: float = 1.0) -> Task:
    return Task(task_id, _noop, frozenset(deps), cost)


def test_width_of_a_chain_is_one() -> None:
    tasks = [_task("a"), _task("b", ("a",)), _task("c", ("b",))]
    assert graph_width(tasks) == 1


def test_width_of_independent_tasks_is_their_count() -> None:
    assert graph_width([_task(name) for name in "abcde"]) == 5


def test_width_of_a_diamond_with_a_tail() -> None:
    # a -> (b, c) -> d, plus e hanging off a: {b, c, e} are mutually independent.
    tasks = [
        _task("a"),
        _task("b", ("a",)),
        _task("c", ("a",)),
        _task("d", ("b", "c")),
        _task("e", ("a",)),
    ]
    assert graph_width(tasks) == 3


def test_width_sees_independence_across_levels() -> None:
    # Two chains of different lengths: every level has two tasks but x2 and y1 are unrelated.
    tasks = [_task("x1"), _task("x2", ("x1",)), _task("x3", ("x2",)), _task("y1")]
    assert graph_width(tasks) == 2


def test_ideal_schedule_matches_hand_computation() -> None:
    tasks = [_task("a", cost=2), _task("b", cost=1), _task("c", ("a", "b"), cost=3)]
    assert simulate_list_schedule(tasks, 1) == 6
    assert simulate_list_schedule(tasks, 2) == 5  # a and b together, then c


def test_ideal_schedule_reaches_critical_path_at_width() -> None:
    rates = Rates(**DEFAULT_RATES, source="defaults")
    tasks = make_tasks(make_components(12), rates, compression=1.0)
    width = graph_width(tasks)
    assert 1 < width < len(tasks)
    assert simulate_list_schedule(tasks, width) == pytest.approx(critical_path_bound(tasks))
    assert simulate_list_schedule(tasks, 1) == pytest.approx(sum(task.cost for task in tasks))
