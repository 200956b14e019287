"""The task graph built from the architecture.

Per component: ``interface`` -> ``implement`` -> (with ``tests``) ``verify`` -> ``review``.
An implementation waits only for its own interface and the interfaces of the components it
depends on; tests are written from the interface, so they overlap with the implementation.
``verify`` also waits for the implementations it imports, because running tests needs them.

Every task has an input key: a hash of everything its prompts are built from plus its
dependencies' keys. A resumed run reuses a saved result whose key still matches, so finished
tasks make no calls, and a changed scenario invalidates only the tasks downstream of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from protosmith.agents import architecture
from protosmith.agents.models import ArchitectureRecord, ComponentSpec
from protosmith.graph import topological_order
from protosmith.pipeline.keys import input_key, task_id
from protosmith.pipeline.layout import Layout
from protosmith.pipeline.results import RESULT_TYPES, TaskResult
from protosmith.pipeline.run import GenerationRun, RunContext
from protosmith.pipeline.scheduler import Task
from protosmith.pipeline.stages import implementation, integration, interface, testing, verify
from protosmith.pipeline.stages import review as review_stage
from protosmith.pipeline.tasks import make_briefs

COSTS = {"interface": 1.0, "implement": 4.0, "tests": 3.0, "verify": 2.0, "review": 0.5}
COSTS["integration"] = 2.0

Body = Callable[[], Awaitable[tuple[TaskResult, list[str]]]]


def run_context(run: GenerationRun, record: ArchitectureRecord) -> RunContext:
    """The graph tasks' shared context for a design: briefs, layout and (polyglot) contracts."""
    layout = Layout(run.spec.project.name, record)
    briefs = make_briefs(run.spec, record, architecture.summary(record), layout)
    contracts, written = integration.prepare_contracts(run, record, briefs)
    return RunContext(
        run=run,
        record=record,
        layout=layout,
        briefs=briefs,
        context=run.context_manager(),
        contracts=contracts,
        files={"contracts": written} if written else {},
    )


def _keyed(ctx: RunContext, tid: str, key: str, body: Body) -> Callable[[], Awaitable[TaskResult]]:
    """Wrap a task body: reuse a saved result with the same key, else run and save it."""
    kind = RESULT_TYPES[tid.split(":", 1)[0]]
    journal = ctx.run.journal

    async def run() -> TaskResult:
        if ctx.run.reuse:
            saved = journal.load_result(tid, key, kind)
            if saved is not None:
                result, files = saved
                ctx.results.put(tid, result)
                ctx.files[tid] = files
                ctx.reused.append(tid)
                journal.event("task_reused", task=tid)
                return result
        fresh, files = await body()
        ctx.results.put(tid, fresh)
        ctx.files[tid] = files
        journal.save_result(tid, key, fresh, files)
        return fresh

    return run


def _closure(record: ArchitectureRecord, name: str) -> list[str]:
    """Every component ``name`` depends on, directly or not."""
    seen: list[str] = []
    stack = list(record.component(name).depends_on)
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.append(dep)
            stack.extend(record.component(dep).depends_on)
    return seen


def build_tasks(ctx: RunContext) -> list[Task]:
    """The per-component task graph (the architecture is already done)."""
    record = ctx.record
    keys: dict[str, str] = {}
    tasks: list[Task] = []

    def add(kind: str, name: str, deps: list[str], body: Body, *inputs: Any) -> None:
        tid = task_id(kind, name)
        keys[tid] = input_key(kind, ctx.run.fingerprint, *inputs, sorted(keys[d] for d in deps))
        ctx.keys[tid] = keys[tid]
        tasks.append(
            Task(tid, _keyed(ctx, tid, keys[tid], body), frozenset(deps), COSTS[kind], kind)
        )

    for component in _topological(record):
        name = component.name
        brief = ctx.brief(name)
        brief_data = [
            component.model_dump(),
            [vars(s) for s in brief.scenarios],
            brief.conventions,
            brief.architecture_summary,
        ]
        if brief.contracts:
            brief_data.append(brief.contracts)
        brief_data.append(brief.imports)
        dep_interfaces = [task_id("interface", d) for d in component.depends_on]
        add("interface", name, dep_interfaces, partial(interface.draft, ctx, name), brief_data)
        add(
            "implement",
            name,
            [task_id("interface", name)] + [task_id("interface", d) for d in component.depends_on],
            partial(implementation.implement, ctx, name),
            brief_data,
        )
        add(
            "tests",
            name,
            [task_id("interface", name), *dep_interfaces],
            partial(testing.write, ctx, name),
            brief_data,
        )
        # A dependant's tests run against its dependencies' final (repaired) code.
        verify_deps = [task_id("implement", name), task_id("tests", name)]
        verify_deps += [task_id("verify", d) for d in _closure(record, name)]
        add(
            "verify",
            name,
            verify_deps,
            partial(verify.verify, ctx, name),
            ctx.run.spec.budget.max_repair_rounds,
            ctx.run.runner is not None,
        )
        add("review", name, [task_id("verify", name)], partial(review_stage.review, ctx, name))
    verified = [task_id("verify", c.name) for c in record.components]
    body = partial(integration.integration_task, ctx)
    add("integration", "services", verified, body, ctx.contracts, ctx.run.runner is not None)
    return tasks


def _topological(record: ArchitectureRecord) -> list[ComponentSpec]:
    """Components with their dependencies first, so keys can chain in one pass."""
    order = topological_order({c.name: c.depends_on for c in record.components})
    return [record.component(name) for name in order]
