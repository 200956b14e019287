"""Task-graph algorithms: cycles, topological order and cost-weighted critical paths.

Edges map a node to the nodes it depends on (``deps``). All functions are iterative, so a
long chain of components cannot hit Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol


class GraphTask(Protocol):
    """What the critical-path functions need from a task (``scheduler.Task`` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def deps(self) -> frozenset[str]: ...

    @property
    def cost(self) -> float: ...


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One dependency cycle as ``[a, b, ..., z]`` where a→b→…→z→a, or None when acyclic.

    Nodes that appear only as targets are leaves. A self-loop is returned as ``[a]``.
    """
    graph = {node: list(targets) for node, targets in edges.items()}
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = {}
    for start in graph:
        if colour.get(start, white) != white:
            continue
        path: list[str] = [start]
        iterators = [iter(graph.get(start, ()))]
        colour[start] = grey
        while iterators:
            advanced = False
            for target in iterators[-1]:
                state = colour.get(target, white)
                if state == grey:
                    return path[path.index(target) :]
                if state == white:
                    colour[target] = grey
                    path.append(target)
                    iterators.append(iter(graph.get(target, ())))
                    advanced = True
                    break
            if not advanced:
                colour[path.pop()] = black
                iterators.pop()
    return None


def describe_cycle(cycle: list[str]) -> str:
    """``a -> b -> a`` for error messages."""
    return " -> ".join([*cycle, cycle[0]])


def topological_order(edges: Mapping[str, Iterable[str]]) -> list[str]:
    """Every node after all its dependencies; stable (input order among equals).

    Raises ``ValueError`` naming the cycle when there is one.
    """
    graph = {node: list(dict.fromkeys(targets)) for node, targets in edges.items()}
    nodes = list(graph)
    for targets in graph.values():
        for target in targets:
            if target not in graph:
                graph[target] = []
                nodes.append(target)
    waiting = {node: len(graph[node]) for node in nodes}
    dependants: dict[str, list[str]] = {node: [] for node in nodes}
    for node in nodes:
        for target in graph[node]:
            dependants[target].append(node)
    ready = [node for node in nodes if waiting[node] == 0]
    order: list[str] = []
    index = 0
    while index < len(ready):
        node = ready[index]
        index += 1
        order.append(node)
        for dependant in dependants[node]:
            waiting[dependant] -= 1
            if waiting[dependant] == 0:
                ready.append(dependant)
    if len(order) != len(nodes):
        cycle = find_cycle(graph) or []
        raise ValueError(f"dependency cycle: {describe_cycle(cycle)}")
    return order


def dependants_of(tasks: Iterable[GraphTask]) -> dict[str, list[str]]:
    """For each task id, the ids of the tasks that depend on it directly."""
    tasks = list(tasks)
    result: dict[str, list[str]] = {task.id: [] for task in tasks}
    for task in tasks:
        for dep in task.deps:
            result.setdefault(dep, []).append(task.id)
    return result


def critical_path_lengths(tasks: Iterable[GraphTask]) -> dict[str, float]:
    """For each task, the largest total cost of a path from it (inclusive) to a sink.

    Scheduling the task with the longest remaining path first is the classic list-scheduling
    heuristic that keeps the critical path moving.
    """
    tasks = list(tasks)
    by_id = {task.id: task for task in tasks}
    order = topological_order({task.id: task.deps for task in tasks})
    dependants = dependants_of(tasks)
    lengths: dict[str, float] = {}
    for node in reversed(order):
        if node not in by_id:
            continue
        tail = max((lengths[d] for d in dependants.get(node, ()) if d in lengths), default=0.0)
        lengths[node] = by_id[node].cost + tail
    return lengths


def critical_path_bound(tasks: Iterable[GraphTask]) -> float:
    """The longest cost-weighted path in the graph: no schedule can finish sooner."""
    return max(critical_path_lengths(tasks).values(), default=0.0)


def transitive_dependants(start: str, dependants: Mapping[str, Iterable[str]]) -> list[str]:
    """Every task that depends on ``start`` directly or indirectly, in discovery order."""
    seen: dict[str, None] = {}
    stack = list(dependants.get(start, ()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen[node] = None
        stack.extend(dependants.get(node, ()))
    return list(seen)
