"""Scheduler benchmark: generated task graphs with simulated LLM latency.

Each component gets interface → implementation → tests; an implementation waits for its own
interface and for the interfaces of the components it imports, never for their code. The
dependency shapes mix chains, diamonds and a wide fan-out from a core component. Latency is
proportional to a task's tokens (``asyncio.sleep``, scaled so the whole run takes seconds).

Measured side by side in one run:

- the makespan against the lower bound ``max(critical path, total work / concurrency)``;
- the speedup over the seed's sequential loop (same tasks, same latencies, one at a time);
- the scheduler's own overhead per task, against bare ``asyncio.gather`` of no-op tasks.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.common import record
from protosmith.pipeline.graph import critical_path_bound, topological_order
from protosmith.pipeline.scheduler import Task, run_graph

ARCHITECTURE_TOKENS = 1200


@dataclass(frozen=True)
class Component:
    """A synthetic component: its dependencies and the tokens each of its tasks produces."""

    name: str
    deps: tuple[str, ...]
    interface_tokens: int
    implementation_tokens: int
    test_tokens: int


def make_components(count: int, seed: int = 7) -> list[Component]:
    """Blocks of six: a chain of three and a diamond, every block hanging off core ``c00``."""
    rng = random.Random(seed)
    names = [f"c{i:02d}" for i in range(count)]
    components = []
    for index, name in enumerate(names):
        base, slot = index - index % 6, index % 6
        deps: tuple[str, ...]
        if slot == 0:  # block head: fan-out from the core component
            deps = (names[0],) if index else ()
        elif slot in (1, 2):  # chain head -> 1 -> 2
            deps = (names[index - 1],)
        elif slot in (3, 4):  # diamond sides
            deps = (names[base],)
        else:  # diamond bottom
            deps = (names[base + 3], names[base + 4])
        components.append(
            Component(
                name=name,
                deps=deps,
                interface_tokens=rng.randint(200, 500),
                implementation_tokens=rng.randint(800, 2400),
                test_tokens=rng.randint(500, 1400),
            )
        )
    return components


def _sleeper(seconds: float) -> Callable[[], Awaitable[float]]:
    async def run() -> float:
        await asyncio.sleep(seconds)
        return seconds

    return run


def make_tasks(components: list[Component], seconds_per_token: float) -> list[Task]:
    """The pipeline's per-component task graph, with latency proportional to tokens."""
    tasks = [
        Task(
            "architecture",
            _sleeper(ARCHITECTURE_TOKENS * seconds_per_token),
            cost=ARCHITECTURE_TOKENS,
            kind="architecture",
        )
    ]
    for component in components:
        name = component.name
        tasks.append(
            Task(
                f"interface:{name}",
                _sleeper(component.interface_tokens * seconds_per_token),
                deps=frozenset({"architecture"}),
                cost=component.interface_tokens,
                kind="interface",
            )
        )
        imports = {f"interface:{dep}" for dep in component.deps}
        tasks.append(
            Task(
                f"implementation:{name}",
                _sleeper(component.implementation_tokens * seconds_per_token),
                deps=frozenset({f"interface:{name}", *imports}),
                cost=component.implementation_tokens,
                kind="implementation",
            )
        )
        tasks.append(
            Task(
                f"tests:{name}",
                _sleeper(component.test_tokens * seconds_per_token),
                deps=frozenset({f"implementation:{name}"}),
                cost=component.test_tokens,
                kind="tests",
            )
        )
    return tasks


async def _sequential(tasks: list[Task]) -> float:
    """The seed's design: one task after another, in dependency order."""
    by_id = {task.id: task for task in tasks}
    started = time.perf_counter()
    for task_id in topological_order({task.id: task.deps for task in tasks}):
        await by_id[task_id].run()
    return time.perf_counter() - started


async def _scheduled(tasks: list[Task], concurrency: int) -> float:
    started = time.perf_counter()
    outcomes = await run_graph(tasks, concurrency=concurrency)
    elapsed = time.perf_counter() - started
    if any(outcome.status != "done" for outcome in outcomes.values()):
        raise RuntimeError("benchmark task failed")
    return elapsed


def _median(values: list[float]) -> float:
    return statistics.median(values)


async def measure_makespans(
    sizes: tuple[int, ...],
    concurrencies: tuple[int, ...],
    seconds_per_token: float,
    repeats: int,
) -> dict[str, dict[str, float]]:
    """Per ``"<size>x<concurrency>"``: makespan, bound, sequential time (seconds, medians)."""
    table: dict[str, dict[str, float]] = {}
    for size in sizes:
        tasks = make_tasks(make_components(size), seconds_per_token)
        total = sum(task.cost for task in tasks) * seconds_per_token
        critical = critical_path_bound(tasks) * seconds_per_token
        sequential = _median([await _sequential(tasks) for _ in range(repeats)])
        for concurrency in concurrencies:
            makespan = _median([await _scheduled(tasks, concurrency) for _ in range(repeats)])
            table[f"{size}x{concurrency}"] = {
                "components": size,
                "concurrency": concurrency,
                "makespan_s": round(makespan, 4),
                "bound_s": round(max(critical, total / concurrency), 4),
                "critical_path_s": round(critical, 4),
                "sequential_s": round(sequential, 4),
            }
    return table


async def measure_overhead(count: int, repeats: int) -> dict[str, float]:
    """Seconds for ``count`` no-op tasks through ``run_graph`` and through bare gather."""

    async def noop() -> None:
        return None

    rng = random.Random(3)
    tasks = []
    for index in range(count):
        deps = {f"t{rng.randrange(index)}" for _ in range(2)} if index > 1 else set()
        tasks.append(Task(f"t{index}", noop, deps=frozenset(deps)))
    scheduled, bare = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        await run_graph(tasks, concurrency=8)
        scheduled.append(time.perf_counter() - started)
        started = time.perf_counter()
        await asyncio.gather(*(asyncio.create_task(noop()) for _ in range(count)))
        bare.append(time.perf_counter() - started)
    return {"scheduled_s": min(scheduled), "bare_gather_s": min(bare)}


def run(
    *,
    sizes: tuple[int, ...] = (6, 12, 24),
    concurrencies: tuple[int, ...] = (1, 2, 4, 8),
    seconds_per_token: float = 20e-6,
    repeats: int = 3,
    overhead_tasks: int = 2000,
) -> None:
    """Run the scheduler benchmarks and record their figures."""
    table = asyncio.run(measure_makespans(sizes, concurrencies, seconds_per_token, repeats))
    focus_size = 12 if 12 in sizes else sizes[len(sizes) // 2]
    focus_c = 4 if 4 in concurrencies else max(concurrencies)
    focus = table[f"{focus_size}x{focus_c}"]
    common = {"seconds_per_token": seconds_per_token, "repeats": repeats, "table": table}
    record(
        "scheduler.makespan_over_critical_path",
        focus["makespan_s"] / focus["bound_s"],
        "x (1.0 = optimal)",
        "lower bound max(critical path, total work / concurrency), same graph",
        {"components": focus_size, "concurrency": focus_c, **common},
    )
    record(
        "scheduler.speedup_vs_sequential",
        focus["sequential_s"] / focus["makespan_s"],
        "x",
        "sequential loop over the same tasks (the seed's design), same latencies",
        {
            "components": focus_size,
            "concurrency": focus_c,
            "speedups": {
                key: round(row["sequential_s"] / row["makespan_s"], 2) for key, row in table.items()
            },
            "seconds_per_token": seconds_per_token,
        },
    )
    overhead = asyncio.run(measure_overhead(overhead_tasks, repeats))
    per_task_us = max(0.0, overhead["scheduled_s"] - overhead["bare_gather_s"]) / overhead_tasks
    record(
        "scheduler.overhead_us_per_task",
        per_task_us * 1e6,
        "us/task",
        "bare asyncio.gather of the same no-op tasks (no dependencies, no limit)",
        {"tasks": overhead_tasks, "concurrency": 8, **overhead},
    )
