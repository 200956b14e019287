"""The task graph built from the architecture, and the bodies of its tasks.

Per component: ``interface`` -> ``implement`` -> (with ``tests``) ``verify`` -> ``review``.
An implementation waits only for its own interface and the interfaces of the components it
depends on; tests are written from the interface, so they overlap with the implementation.
``verify`` also waits for the implementations it imports, because running tests needs them.

Every task has an input key: a hash of everything its prompts are built from plus its
dependencies' keys. A resumed run reuses a saved result whose key still matches, so finished
tasks make no calls, and a changed scenario invalidates only the tasks downstream of it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from protosmith.agents import implementation, testing
from protosmith.agents.common import slug
from protosmith.agents.documentation import DOC_PATHS, ComponentDoc, render_docs, write_docs
from protosmith.agents.implementation import ComponentBrief, ScenarioView
from protosmith.agents.models import (
    ArchitectureRecord,
    ComponentCode,
    GeneratedFile,
    InterfaceDraft,
    TestSuite,
)
from protosmith.context.manager import ContextManager
from protosmith.execution.api import TestRunResult, TestView
from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError, StructuredOutputError
from protosmith.pipeline.journal import Journal, state_dir
from protosmith.pipeline.layout import Layout
from protosmith.pipeline.scheduler import Task
from protosmith.pipeline.writer import (
    SafeWriter,
    UnsafePathError,
    atomic_write_text,
    check_relative,
)
from protosmith.spec.model import Spec

log = logging.getLogger(__name__)

TestRunner = Callable[[Path, str, TestView | None], Awaitable[TestRunResult]]
"""Runs the tests of the project tree at a root, in a language, seen through a view."""
COSTS = {"interface": 1.0, "implement": 4.0, "tests": 3.0, "verify": 2.0, "review": 0.5}
COSTS["integration"] = 2.0


@dataclass
class RunContext:
    """What every task of one run shares."""

    spec: Spec
    record: ArchitectureRecord
    backend: Backend
    context: ContextManager
    writer: SafeWriter
    journal: Journal
    max_tokens: int
    retries: int
    fingerprint: str
    """Backend, model and limits: part of every key, so a model change re-runs everything."""
    runner: TestRunner | None = None
    runner_missing: str = ""
    review: bool = True
    """Run the review hook (tests of the pipeline switch it off for speed)."""
    resume: bool = False
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    """Task id to the files it wrote (relative to the output folder)."""
    refused: list[dict[str, str]] = field(default_factory=list)
    briefs: dict[str, ComponentBrief] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Polyglot runs: component to its OpenAPI contract (empty otherwise)."""
    layout: Layout | None = None
    """Where each component lives and how it imports its siblings (set with the briefs)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Task id to its input key (the accepted-state store is keyed by them)."""

    def place(self) -> Layout:
        if self.layout is None:
            self.layout = Layout(self.spec.project.name, self.record)
        return self.layout

    def brief(self, name: str) -> ComponentBrief:
        return self.briefs[name]


def task_id(kind: str, component: str) -> str:
    return f"{kind}:{component}"


def input_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts."""
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]


def make_briefs(
    spec: Spec, record: ArchitectureRecord, summary: str, layout: Layout | None = None
) -> dict[str, ComponentBrief]:
    """Per component, the scenarios it covers (only those), the architecture summary, and
    where it lives in the layout and how it imports its siblings."""
    layout = layout or Layout(spec.project.name, record)
    steps = {item.name: item.steps for item in record.analysis.scenarios}
    briefs = {}
    for component in record.components:
        views = [
            ScenarioView(
                s.name, s.description, list(s.acceptance), list(steps.get(s.name) or s.steps or [])
            )
            for s in spec.scenarios
            if s.name in component.covers_scenarios
        ]
        brief = ComponentBrief(component, summary, views, dict(spec.conventions))
        brief.imports = layout.import_guide(component.name) + _entry_hint(layout, record, component)
        placement = layout.place(component.name)
        brief.require = (placement.entry,) if placement.entry else ()
        brief.facts = {
            "project": spec.project.name,
            "module": placement.module,
            "folder": placement.folder,
            "entry": placement.entry,
            "main": "1" if _entry_hint(layout, record, component) else "",
            "scenarios": "\n".join(view.name for view in views),
        }
        briefs[component.name] = brief
    return briefs


def _entry_hint(layout: Layout, record: ArchitectureRecord, component: Any) -> str:
    """The program's entry point is the component nothing depends on: it gets a main module."""
    if any(component.name in other.depends_on for other in record.components):
        return ""
    placement = layout.place(component.name)
    remote = layout.other_language_deps(component.name)
    if remote:  # a client of a service in another language: it must not start that service
        wiring = (
            f"wiring the real dependencies; {', '.join(remote)} run separately, so take their "
            f"base URL from the environment (e.g. `{remote[0].upper()}_URL`, default "
            f"http://127.0.0.1:8000) and never start them yourself"
        )
    else:
        wiring = (
            "wiring the real dependencies (a server listens on the port in $PORT, default "
            "8000; a command-line tool prints its help without arguments)"
        )
    if placement.language == "python":
        return (
            f"\nNo other component depends on this one, so it is the program's entry point: "
            f"also write `__main__.py` so `python -m {placement.module}` runs the program from "
            f"the project root, {wiring}."
        )
    if placement.language in ("javascript", "typescript"):
        return (
            f"\nNo other component depends on this one, so it is the program's entry point: "
            f"also write `main.js` so `node {placement.folder}/main.js` runs the program, "
            f"{wiring}."
        )
    return ""


def write_files(
    ctx: RunContext, component: str, files: list[GeneratedFile], owner: str
) -> list[str]:
    """Write a component's files under its folder; refuse (and journal) every unsafe path.

    A path that repeats the component's folder (``shorturl/storage/db.py`` for the folder
    ``shorturl/storage``) is taken as meant relative to the project root.
    """
    written: list[str] = []
    folder = ctx.place().folder(component)
    for item in files:
        try:
            check_relative(item.path)
            relative_path = item.path.replace("\\", "/").lstrip("./")
            if relative_path.startswith(folder + "/"):
                relative_path = relative_path[len(folder) + 1 :]
            target = ctx.writer.resolve(f"{folder}/{relative_path}")
        except UnsafePathError as error:
            refusal = {
                "component": component,
                "path": item.path,
                "task": owner,
                "message": str(error),
            }
            ctx.refused.append(refusal)
            ctx.journal.event(
                "unsafe_path",
                severity="critical",
                category="security",
                rule="unsafe-path",
                **refusal,
            )
            log.warning("refused generated path %r of %s: %s", item.path, component, error)
            continue
        relative = target.relative_to(ctx.writer.root).as_posix()
        ctx.writer.write_text(relative, item.content)
        written.append(relative)
    written += _package_markers(ctx, component, written)
    return written


def _package_markers(ctx: RunContext, component: str, written: list[str]) -> list[str]:
    """Python: the project package's ``__init__.py`` and one in every subfolder with modules,
    so each component is importable as ``<project>.<component>`` and test names never clash."""
    layout = ctx.place()
    if layout.place(component).language != "python":
        return []
    added: list[str] = []
    for relative, content in layout.package_files().items():
        if not (ctx.writer.root / relative).exists():
            ctx.writer.write_text(relative, content)
        if relative not in added:
            added.append(relative)
    top = layout.folder(component)
    folders = {Path(item).parent.as_posix() for item in written if item.endswith(".py")}
    folders.add(top)
    for folder in sorted(folders):
        if not (folder == top or folder.startswith(top + "/")):
            continue
        marker = f"{folder}/__init__.py"
        if marker not in written and not (ctx.writer.root / marker).exists():
            ctx.writer.write_text(marker, "")
            added.append(marker)
    return added


def remove_stale(ctx: RunContext, old: list[str], new: list[str]) -> None:
    """Delete files an earlier version wrote that the new version no longer has."""
    for relative in old:
        if relative in new:
            continue
        try:
            path = ctx.writer.resolve(relative)
        except UnsafePathError:
            continue
        path.unlink(missing_ok=True)
        ctx.journal.event("file_removed", path=relative)


Body = Callable[[], Awaitable[tuple[dict[str, Any], list[str]]]]


def _keyed(
    ctx: RunContext, tid: str, key: str, body: Body
) -> Callable[[], Awaitable[dict[str, Any]]]:
    """Wrap a task body: reuse a saved result with the same key, else run and save it."""

    async def run() -> dict[str, Any]:
        if ctx.resume:
            saved = ctx.journal.load_task(tid)
            if saved is not None and saved.get("key") == key:
                ctx.results[tid] = saved["result"]
                ctx.files[tid] = list(saved.get("files", []))
                ctx.reused.append(tid)
                ctx.journal.event("task_reused", task=tid)
                return saved["result"]
        result, files = await body()
        ctx.results[tid] = result
        ctx.files[tid] = files
        ctx.journal.save_task(tid, {"key": key, "result": result, "files": files})
        return result

    return run


def dependency_items(ctx: RunContext, name: str, *, implemented: bool = False) -> list[Any]:
    """The interfaces of ``name``'s dependencies: their drafts, or with ``implemented`` (the
    repair loop, which runs after its dependencies are verified) as implemented.

    A task only ever reads what its graph dependencies produced: whether another task happens
    to be finished already must never change a prompt, or re-runs would miss the cache.
    """
    items = []
    for dep in ctx.record.component(name).depends_on:
        if task_id("interface", dep) not in ctx.results:
            continue
        draft = draft_of(ctx, dep)
        summary, interface = draft.summary, draft.interface
        if implemented and task_id("implement", dep) in ctx.results:
            code = code_of(ctx, dep)
            summary, interface = code.summary or summary, code.interface or interface
        items.append(implementation.dependency_item(dep, summary, interface))
    return items


async def _interface(ctx: RunContext, name: str) -> tuple[dict[str, Any], list[str]]:
    brief = ctx.brief(name)
    try:
        result = await implementation.draft_interface(
            ctx.backend,
            ctx.context,
            brief,
            max_tokens=ctx.max_tokens,
            retries=ctx.retries,
            dependencies=dependency_items(ctx, name),
        )
        draft, fallback = result.value, False
    except StructuredOutputError as error:
        draft, fallback = implementation.draft_fallback(brief), True
        ctx.journal.event("interface_fallback", component=name, error=str(error))
    return {"draft": draft.model_dump(), "fallback": fallback}, []


def draft_of(ctx: RunContext, name: str) -> InterfaceDraft:
    return InterfaceDraft.model_validate(ctx.results[task_id("interface", name)]["draft"])


async def _implement(ctx: RunContext, name: str) -> tuple[dict[str, Any], list[str]]:
    brief = ctx.brief(name)
    accepted = load_accepted(ctx, task_id("implement", name))
    if accepted is not None and "code" in accepted:
        code = ComponentCode.model_validate(accepted["code"])
        ctx.journal.event("accepted_state_used", task=task_id("implement", name))
        files = write_files(ctx, name, code.files, task_id("implement", name))
        return {"code": code.model_dump(), "attempts": 0, "accepted": True}, files
    deps = []
    for dep in brief.component.depends_on:
        dep_draft = draft_of(ctx, dep)
        deps.append(implementation.dependency_item(dep, dep_draft.summary, dep_draft.interface))
    result = await implementation.implement(
        ctx.backend,
        ctx.context,
        brief,
        draft_of(ctx, name),
        deps,
        max_tokens=ctx.max_tokens,
        retries=ctx.retries,
    )
    files = write_files(ctx, name, result.value.files, task_id("implement", name))
    save_accepted(ctx, task_id("implement", name), {"code": result.value.model_dump()})
    return {"code": result.value.model_dump(), "attempts": result.attempts}, files


async def _tests(ctx: RunContext, name: str) -> tuple[dict[str, Any], list[str]]:
    accepted = load_accepted(ctx, task_id("tests", name))
    if accepted is not None and "suite" in accepted:
        suite = TestSuite.model_validate(accepted["suite"])
        ctx.journal.event("accepted_state_used", task=task_id("tests", name))
        files = write_files(ctx, name, suite.files, task_id("tests", name))
        return {"suite": suite.model_dump(), "attempts": 0, "accepted": True}, files
    result = await testing.write_tests(
        ctx.backend,
        ctx.context,
        ctx.brief(name),
        draft_of(ctx, name),
        max_tokens=ctx.max_tokens,
        retries=ctx.retries,
        dependencies=dependency_items(ctx, name),
    )
    files = write_files(ctx, name, result.value.files, task_id("tests", name))
    save_accepted(ctx, task_id("tests", name), {"suite": result.value.model_dump()})
    return {"suite": result.value.model_dump(), "attempts": result.attempts}, files


def _accepted_path(ctx: RunContext, tid: str) -> Path | None:
    key = ctx.keys.get(tid)
    if not key:
        return None
    return state_dir(ctx.writer.workspace) / "accepted" / f"{key}.json"


def load_accepted(ctx: RunContext, tid: str) -> dict[str, Any] | None:
    """The latest accepted state of a task's files (after repairs), if this input had one.

    A re-run with the same inputs starts from it, never from the model's first reply: files
    a repair fixed are never rewritten to their broken version.
    """
    path = _accepted_path(ctx, tid)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("accepted state %s unreadable (%s); starting from the model", path, error)
        return None
    return data if isinstance(data, dict) else None


def save_accepted(ctx: RunContext, tid: str, state: dict[str, Any]) -> None:
    """Record the latest accepted state of a task (atomically; merged with what was there)."""
    path = _accepted_path(ctx, tid)
    if path is None:
        return
    merged = {**(load_accepted(ctx, tid) or {}), **state}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(merged, sort_keys=True))


def code_of(ctx: RunContext, name: str) -> ComponentCode:
    """The latest code of a component: the repaired version when a repair changed it."""
    verify = ctx.results.get(task_id("verify", name), {})
    data = verify.get("code") or ctx.results[task_id("implement", name)]["code"]
    return ComponentCode.model_validate(data)


def suite_of(ctx: RunContext, name: str) -> TestSuite:
    verify = ctx.results.get(task_id("verify", name), {})
    return TestSuite.model_validate(
        verify.get("suite") or ctx.results[task_id("tests", name)]["suite"]
    )


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
    from protosmith.pipeline import repair

    record = ctx.record
    keys: dict[str, str] = {}
    tasks: list[Task] = []

    def add(kind: str, name: str, deps: list[str], body: Body, *inputs: Any) -> None:
        tid = task_id(kind, name)
        keys[tid] = input_key(kind, ctx.fingerprint, *inputs, sorted(keys[d] for d in deps))
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
        add("interface", name, dep_interfaces, partial(_interface, ctx, name), brief_data)
        add(
            "implement",
            name,
            [task_id("interface", name)] + [task_id("interface", d) for d in component.depends_on],
            partial(_implement, ctx, name),
            brief_data,
        )
        add(
            "tests",
            name,
            [task_id("interface", name), *dep_interfaces],
            partial(_tests, ctx, name),
            brief_data,
        )
        # A dependant's tests run against its dependencies' final (repaired) code.
        verify_deps = [task_id("implement", name), task_id("tests", name)]
        verify_deps += [task_id("verify", d) for d in _closure(record, name)]
        add(
            "verify",
            name,
            verify_deps,
            partial(repair.verify, ctx, name),
            ctx.spec.budget.max_repair_rounds,
            ctx.runner is not None,
        )
        add("review", name, [task_id("verify", name)], partial(repair.review, ctx, name))
    from protosmith.pipeline import integration

    verified = [task_id("verify", c.name) for c in record.components]
    body = partial(integration.integration_task, ctx)
    add("integration", "services", verified, body, ctx.contracts, ctx.runner is not None)
    return tasks


def _topological(record: ArchitectureRecord) -> list[Any]:
    """Components with their dependencies first, so keys can chain in one pass."""
    from protosmith.pipeline.graph import topological_order

    order = topological_order({c.name: c.depends_on for c in record.components})
    return [record.component(name) for name in order]


def component_docs(ctx: RunContext) -> list[ComponentDoc]:
    """What the docs say about each component: the real interface, outcome and commands."""
    layout = ctx.place()
    integration = ctx.results.get(task_id("integration", "services"), {})
    commands = (integration.get("tree") or {}).get("commands", {})
    services = integration.get("services", {}) if ctx.contracts else {}
    docs = []
    for component in ctx.record.components:
        name = component.name
        placement = layout.place(name)
        summary, interface, entry = component.responsibility, "", ""
        operations = list(component.interfaces)
        endpoints: list[str] = []
        implemented = task_id("implement", name) in ctx.results
        if task_id("interface", name) in ctx.results:
            draft = draft_of(ctx, name)
            summary, interface = draft.summary or summary, draft.interface
        if implemented:
            code = code_of(ctx, name)
            summary, interface = code.summary or summary, code.interface or interface
            entry = _entry(code)
            operations = current_operations(operations, code, placement.language)
            endpoints = routes_in(code)
        verify = ctx.results.get(task_id("verify", name))
        if verify:
            status = verify["detail"]
        elif implemented:
            status = "not run: the code was generated but its tests did not run"
        else:
            status = "not run: no code was generated"
        run_command, run_status = "", ""
        smoke = commands.get(name)
        if smoke:
            if smoke["status"] == "passed":
                run_command = smoke["command"]
                run_status = f"Verified by the pipeline's smoke run: {smoke['detail']}."
            else:
                run_status = (
                    f"The smoke run of `{smoke['command']}` failed ({smoke['detail']}): "
                    f"{smoke.get('output', '')}".rstrip(": ")
                )
        elif name in services:
            checked = services[name]
            command = checked.get("command", "")
            if checked.get("status") == "passed" and command:
                run_command = command
                where = "the project root" if placement.language == "python" else placement.folder
                run_status = (
                    f"Started from {where} and checked against its contract "
                    f"(`{integration_contract(name)}`) by the pipeline's integration smoke test."
                )
            else:
                reason = checked.get("reason") or ", ".join(checked.get("problems", [])[:3])
                run_status = (
                    f"The integration smoke test did not start it ({checked.get('status')}"
                    f"{': ' + reason if reason else ''})."
                )
        elif implemented and placement.language in ("python", "javascript", "typescript"):
            same = set(layout.closure_users(name))
            users = [c.name for c in ctx.record.components if name in c.depends_on]
            importers = [u for u in users if u in same]
            callers = [u for u in users if u not in same]
            parts = []
            if importers:
                parts.append(
                    f"{', '.join(importers)} import{'s' if len(importers) == 1 else ''} it"
                )
            if callers:
                parts.append(f"{', '.join(callers)} call{'s' if len(callers) == 1 else ''} it")
            run_status = (
                f"A library: {' and '.join(parts)}."
                if parts
                else "No entry point was generated, so there is no start command."
            )
        docs.append(
            ComponentDoc(
                name=name,
                language=component.language,
                summary=summary,
                interface=interface or implementation.draft_fallback(ctx.brief(name)).interface,
                status=status,
                depends_on=list(component.depends_on),
                operations=operations,
                entry=entry,
                location=placement.folder,
                module=placement.module if placement.language == "python" else "",
                test_command=layout.test_command(name),
                install_command=layout.install_command(name, ctx.writer.root),
                run_command=run_command,
                run_status=run_status,
                tests_ran=int(verify.get("ran", 0)) if verify else 0,
                tests_passed=int(verify.get("passed", 0)) if verify else 0,
                endpoints=endpoints,
            )
        )
    return docs


_ROUTE = re.compile(
    r"""["'](/(?:[A-Za-z_][\w\-]*|<[\w:]+>|\{\w+\}|:\w+)(?:/(?:[\w\-]+|<[\w:]+>|\{\w+\}|:\w+))*/?)["']"""
)


def integration_contract(name: str) -> str:
    return f"contracts/{slug(name)}.openapi.json"


def routes_in(code: ComponentCode) -> list[str]:
    """HTTP route literals in the component's non-test sources (``/shorten``, ``/api/links/``)."""
    found: list[str] = []
    for item in code.files:
        if "test" in Path(item.path).name.lower():
            continue
        for match in _ROUTE.finditer(item.content):
            route = match.group(1)
            if route not in found and not route.startswith(("/tmp", "/usr", "/dev", "/etc")):
                found.append(route)
    return found[:20]


_PY_DEF = re.compile(
    r"^[ \t]*(async[ \t]+)?def[ \t]+(\w+)[ \t]*\((.*?)\)[ \t]*(?:->[ \t]*([^:\n]+?))?[ \t]*:",
    re.M | re.S,
)


def current_operations(operations: list[Any], code: ComponentCode, language: str) -> list[Any]:
    """The architecture's operations with their signatures as implemented (Python, by name).

    Read with a pattern, not ``ast``: CPython 3.11 builds ast objects with interpreter-wide
    state, and a review running in a thread at the same time trips on it.
    """
    if language != "python":
        return operations
    signatures: dict[str, str] = {}
    for item in code.files:
        if not item.path.endswith(".py") or "test" in Path(item.path).name:
            continue
        for match in _PY_DEF.finditer(item.content):
            prefix = "async def" if match.group(1) else "def"
            params = " ".join(match.group(3).split()).rstrip(",")
            returns = f" -> {match.group(4).strip()}" if match.group(4) else ""
            signatures.setdefault(match.group(2), f"{prefix} {match.group(2)}({params}){returns}")
    updated = []
    for op in operations:
        signature = signatures.get(op.name)
        updated.append(op.model_copy(update={"signature": signature}) if signature else op)
    return updated


def _entry(code: ComponentCode) -> str:
    """The stem of the first source file that is not a test, for the docs' run command."""
    for item in code.files:
        if "test" not in item.path.lower():
            return Path(item.path).with_suffix("").as_posix().replace("/", ".")
    return ""


async def docs_stage(ctx: RunContext) -> tuple[list[str], str]:
    """Write README.md, API.md, DEPLOYMENT.md and docs/architecture.md; returns files and a note."""
    components = component_docs(ctx)
    key = input_key(
        "docs",
        ctx.fingerprint,
        ctx.record.model_dump(),
        [vars(c) | {"operations": [op.model_dump() for op in c.operations]} for c in components],
    )
    saved = ctx.journal.load_task("docs") if ctx.resume else None
    if saved is not None and saved.get("key") == key:
        ctx.reused.append("docs")
        return list(saved.get("files", [])), str(saved["result"].get("note", ""))
    note = ""
    try:
        outcome = await write_docs(
            ctx.backend,
            ctx.spec,
            ctx.record,
            components,
            context=ctx.context,
            max_tokens=ctx.max_tokens,
            retries=ctx.retries,
        )
        docs = outcome.docs
        if not outcome.model_written:
            note = "the documentation prose was rendered deterministically"
            ctx.journal.event("docs_fallback", error=outcome.problem)
    except BackendError as error:
        docs = render_docs(ctx.spec, ctx.record, components)
        note = "the documentation prose was rendered deterministically"
        ctx.journal.event("docs_fallback", error=str(error))
    files = []
    if ctx.contracts:
        from protosmith.pipeline.integration import write_deployment

        deploy_files, section = write_deployment(ctx, components)
        files.extend(deploy_files)
        docs.deployment = docs.deployment.rstrip() + "\n\n" + section
    for field_name, relative in DOC_PATHS.items():
        ctx.writer.write_text(relative, getattr(docs, field_name))
        files.append(relative)
    ctx.journal.save_task("docs", {"key": key, "result": {"note": note}, "files": files})
    return files, note
