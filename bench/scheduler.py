"""Scheduler benchmark: generated task graphs with a simulated, calibrated LLM backend.

Each component gets interface → implementation → tests; an implementation waits for its own
interface and for the interfaces of the components it imports, never for their code. The
dependency shapes mix chains, diamonds and a wide fan-out from a core component.

A task's latency is ``prompt tokens / prefill rate + completion tokens / decode rate``, the
rates measured on the real embedded model at the start of the run (falling back to the last
recorded local figures, then to documented defaults, when llama.cpp is absent). Prompts are
sized like the context manager builds them: the architecture summary, the component's own
interface or code, and the interfaces of its dependencies. The simulated seconds are
compressed by a constant factor so a run takes seconds; every figure is a ratio, which the
compression leaves unchanged except for the scheduler's own (real) overhead.

Measured side by side in one run:

- the makespan against the lower bound ``max(critical path, total work / concurrency)``, at
  concurrency 1, 2, 4, 8 and at the graph's width (its largest antichain, where the bound is
  the critical path and the goal applies);
- the makespan against a zero-overhead simulation of the same critical-path-first list
  schedule, which separates the scheduler's real overhead from the bound's looseness;
- the speedup over the seed's sequential loop (same tasks, same latencies, one at a time);
- the scheduler's own overhead per task, against bare ``asyncio.gather`` of no-op tasks.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bench.common import RESULTS_PATH, record
from protosmith.graph import (
    critical_path_bound,
    critical_path_lengths,
    dependants_of,
    topological_order,
)
from protosmith.pipeline.scheduler import Task, run_graph

SPEC_TOKENS = 700
"""Prompt of the architecture call: the spec plus the agent's instructions."""
ARCHITECTURE_TOKENS = 1200
"""Completion of the architecture call; its summary (a third) is in every later prompt."""
INSTRUCTION_TOKENS = 350
DEFAULT_RATES = {"prefill_tok_s": 400.0, "decode_tok_s": 35.0}
"""Used only without llama.cpp and without an earlier local figure (Gemma 3 270M on 2 cores)."""
COMPRESSION = 1 / 400
"""Wall seconds per simulated second: a 12-component sequential run takes about 2.5 s."""


@dataclass(frozen=True)
class Rates:
    """Tokens per second of the model the simulation stands in for, and where they came from."""

    prefill_tok_s: float
    decode_tok_s: float
    source: str

    def seconds(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Simulated latency of one call, before compression."""
        return prompt_tokens / self.prefill_tok_s + completion_tokens / self.decode_tok_s


def measure_rates() -> Rates:
    """Prefill and decode rates of the embedded model on this machine, now.

    Decode: a short prompt asking for a long answer (prefill negligible). Prefill: a long prompt
    with a one-token answer, less one decode step.
    """
    from bench.local_inference import _raw_model, available

    path, why = available()
    if path is None:
        return _recorded_rates(why)
    model = _raw_model(path)
    try:
        model.create_chat_completion(messages=[{"role": "user", "content": "Hi"}], max_tokens=2)
        started = time.perf_counter()
        reply = model.create_chat_completion(
            messages=[{"role": "user", "content": "Count from one to one hundred in words."}],
            max_tokens=64,
            temperature=0.0,
        )
        decode_s = time.perf_counter() - started
        decoded = max(1, reply["usage"]["completion_tokens"])
        decode = decoded / decode_s
        long_prompt = " ".join(f"Requirement {i}: the service stores item {i}." for i in range(40))
        started = time.perf_counter()
        reply = model.create_chat_completion(
            messages=[{"role": "user", "content": long_prompt}], max_tokens=1, temperature=0.0
        )
        prefill_s = max(1e-3, time.perf_counter() - started - 1 / decode)
        prefill = reply["usage"]["prompt_tokens"] / prefill_s
    finally:
        del model
    return Rates(prefill, decode, f"measured now on {path.name}")


def _recorded_rates(why: str) -> Rates:
    """The last recorded local decode rate, else the documented defaults."""
    try:
        recorded = json.loads(RESULTS_PATH.read_text(encoding="utf-8"))
        decode = float(recorded["local.tok_s_vs_raw"]["params"]["raw_tok_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return Rates(**DEFAULT_RATES, source=f"defaults ({why})")
    return Rates(
        DEFAULT_RATES["prefill_tok_s"], decode, f"last recorded local.tok_s_vs_raw ({why})"
    )


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


def make_tasks(components: list[Component], rates: Rates, compression: float) -> list[Task]:
    """The pipeline's per-component task graph; ``cost`` is each task's wall latency (s)."""
    by_name = {component.name: component for component in components}
    summary = ARCHITECTURE_TOKENS // 3
    tasks: list[Task] = []

    def add(task_id: str, deps: set[str], prompt: int, completion: int, kind: str) -> None:
        seconds = rates.seconds(prompt, completion) * compression
        tasks.append(Task(task_id, _sleeper(seconds), frozenset(deps), seconds, kind))

    add("architecture", set(), SPEC_TOKENS, ARCHITECTURE_TOKENS, "architecture")
    for component in components:
        name = component.name
        context = INSTRUCTION_TOKENS + summary
        add(f"interface:{name}", {"architecture"}, context, component.interface_tokens, "interface")
        dep_interfaces = sum(by_name[dep].interface_tokens for dep in component.deps)
        add(
            f"implementation:{name}",
            {f"interface:{name}", *(f"interface:{dep}" for dep in component.deps)},
            context + component.interface_tokens + dep_interfaces,
            component.implementation_tokens,
            "implementation",
        )
        add(
            f"tests:{name}",
            {f"implementation:{name}"},
            context + component.interface_tokens + component.implementation_tokens,
            component.test_tokens,
            "tests",
        )
    return tasks


def graph_width(tasks: list[Task]) -> int:
    """The largest set of mutually independent tasks (Dilworth: n minus a maximum matching of
    the reachability relation), i.e. the concurrency past which no task ever waits for a slot."""
    order = topological_order({task.id: task.deps for task in tasks})
    deps = {task.id: task.deps for task in tasks}
    reach: dict[str, set[str]] = {}
    for node in order:  # ancestors of each node
        reach[node] = set().union(*(reach[d] | {d} for d in deps[node])) if deps[node] else set()
    later: dict[str, list[str]] = {node: [] for node in order}
    for node, ancestors in reach.items():
        for ancestor in ancestors:
            later[ancestor].append(node)
    match: dict[str, str] = {}

    def augment(node: str, seen: set[str]) -> bool:
        for target in later[node]:
            if target in seen:
                continue
            seen.add(target)
            if target not in match or augment(match[target], seen):
                match[target] = node
                return True
        return False

    matched = sum(augment(node, set()) for node in order)
    return len(order) - matched


def simulate_list_schedule(tasks: list[Task], concurrency: int) -> float:
    """Makespan of the scheduler's policy (longest remaining path first) with zero overhead."""
    priority = critical_path_lengths(tasks)
    dependants = dependants_of(tasks)
    order = {task.id: index for index, task in enumerate(tasks)}
    cost = {task.id: task.cost for task in tasks}
    waiting = {task.id: len(task.deps) for task in tasks}
    ready = [(-priority[t], order[t], t) for t, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    running: list[tuple[float, str]] = []
    now = 0.0
    while ready or running:
        while ready and len(running) < concurrency:
            _, _, task_id = heapq.heappop(ready)
            heapq.heappush(running, (now + cost[task_id], task_id))
        now, finished = heapq.heappop(running)
        for dependant in dependants.get(finished, ()):
            waiting[dependant] -= 1
            if waiting[dependant] == 0:
                heapq.heappush(ready, (-priority[dependant], order[dependant], dependant))
    return now


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


async def measure_makespans(
    sizes: tuple[int, ...],
    concurrencies: tuple[int, ...],
    rates: Rates,
    compression: float,
    repeats: int,
) -> dict[str, dict[str, Any]]:
    """Per ``"<size>x<concurrency>"`` (and ``"<size>xwidth"``): medians in wall seconds."""
    table: dict[str, dict[str, Any]] = {}
    for size in sizes:
        tasks = make_tasks(make_components(size), rates, compression)
        total = sum(task.cost for task in tasks)
        critical = critical_path_bound(tasks)
        width = graph_width(tasks)
        sequential = statistics.median([await _sequential(tasks) for _ in range(repeats)])
        for concurrency in (*concurrencies, width):
            makespan = statistics.median(
                [await _scheduled(tasks, concurrency) for _ in range(repeats)]
            )
            key = f"{size}x{concurrency}" if concurrency in concurrencies else f"{size}xwidth"
            table[key] = {
                "components": size,
                "tasks": len(tasks),
                "concurrency": concurrency,
                "width": width,
                "makespan_s": round(makespan, 4),
                "bound_s": round(max(critical, total / concurrency), 4),
                "ideal_list_schedule_s": round(simulate_list_schedule(tasks, concurrency), 4),
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
    compression: float = COMPRESSION,
    repeats: int = 3,
    overhead_tasks: int = 2000,
    rates: Rates | None = None,
) -> None:
    """Run the scheduler benchmarks and record their figures."""
    rates = rates or measure_rates()
    table = asyncio.run(measure_makespans(sizes, concurrencies, rates, compression, repeats))
    focus_size = 12 if 12 in sizes else sizes[len(sizes) // 2]
    focus_c = 4 if 4 in concurrencies else max(concurrencies)
    focus = table[f"{focus_size}x{focus_c}"]
    at_width = table[f"{focus_size}xwidth"]
    calibration = {
        "prefill_tok_s": round(rates.prefill_tok_s, 1),
        "decode_tok_s": round(rates.decode_tok_s, 1),
        "rates_source": rates.source,
        "compression": compression,
    }
    common = {**calibration, "repeats": repeats, "table": table}
    record(
        "scheduler.makespan_over_critical_path",
        focus["makespan_s"] / focus["bound_s"],
        "x (1.0 = optimal; goal <= 1.05 at concurrency >= width)",
        "lower bound max(critical path, total work / concurrency), same graph "
        f"(concurrency {focus_c} < width {focus['width']})",
        {"components": focus_size, "concurrency": focus_c, **common},
    )
    record(
        "scheduler.makespan_over_critical_path_at_width",
        at_width["makespan_s"] / at_width["bound_s"],
        "x (goal <= 1.05)",
        f"critical path of the same graph, concurrency = its width ({at_width['width']})",
        {
            "components": focus_size,
            "concurrency": at_width["width"],
            "per_size": {
                key: round(row["makespan_s"] / row["bound_s"], 3)
                for key, row in table.items()
                if key.endswith("xwidth")
            },
            **calibration,
        },
    )
    record(
        "scheduler.makespan_over_ideal_list_schedule",
        focus["makespan_s"] / focus["ideal_list_schedule_s"],
        "x (1.0 = no overhead)",
        "zero-overhead simulation of the same critical-path-first policy, same graph "
        f"({focus['ideal_list_schedule_s'] / focus['bound_s']:.3f}x the lower bound)",
        {
            "components": focus_size,
            "concurrency": focus_c,
            "per_cell": {
                key: round(row["makespan_s"] / row["ideal_list_schedule_s"], 3)
                for key, row in table.items()
            },
            **calibration,
        },
    )
    record(
        "scheduler.speedup_vs_sequential",
        focus["sequential_s"] / focus["makespan_s"],
        "x (goal >= 3)",
        "sequential loop over the same tasks (the seed's design), same latencies",
        {
            "components": focus_size,
            "concurrency": focus_c,
            "speedups": {
                key: round(row["sequential_s"] / row["makespan_s"], 2) for key, row in table.items()
            },
            **calibration,
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
