"""What the graph tasks share: each component's brief, writing its files, reading its results.

The task bodies live in :mod:`protosmith.pipeline.stages`, one module per stage; the graph
that orders them in :mod:`protosmith.pipeline.plan`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from protosmith.agents import implementation
from protosmith.agents.brief import ComponentBrief, ScenarioView
from protosmith.agents.models import (
    ArchitectureRecord,
    ComponentCode,
    GeneratedFile,
    InterfaceDraft,
    TestSuite,
)
from protosmith.pipeline.keys import task_id
from protosmith.pipeline.layout import Layout
from protosmith.pipeline.run import RunContext
from protosmith.pipeline.writer import UnsafePathError, check_relative
from protosmith.spec.model import Spec

log = logging.getLogger(__name__)


def make_briefs(
    spec: Spec, record: ArchitectureRecord, summary: str, layout: Layout
) -> dict[str, ComponentBrief]:
    """Per component, the scenarios it covers (only those), the architecture summary, and
    where it lives in the layout and how it imports its siblings."""
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
    folder = ctx.layout.folder(component)
    for item in files:
        try:
            check_relative(item.path)
            relative_path = item.path.replace("\\", "/").lstrip("./")
            if relative_path.startswith(folder + "/"):
                relative_path = relative_path[len(folder) + 1 :]
            target = ctx.run.writer.resolve(f"{folder}/{relative_path}")
        except UnsafePathError as error:
            refusal = {
                "component": component,
                "path": item.path,
                "task": owner,
                "message": str(error),
            }
            ctx.refused.append(refusal)
            ctx.run.journal.event(
                "unsafe_path",
                severity="critical",
                category="security",
                rule="unsafe-path",
                **refusal,
            )
            log.warning("refused generated path %r of %s: %s", item.path, component, error)
            continue
        relative = target.relative_to(ctx.run.writer.root).as_posix()
        ctx.run.writer.write_text(relative, item.content)
        written.append(relative)
    written += _package_markers(ctx, component, written)
    return written


def _package_markers(ctx: RunContext, component: str, written: list[str]) -> list[str]:
    """Python: the project package's ``__init__.py`` and one in every subfolder with modules,
    so each component is importable as ``<project>.<component>`` and test names never clash."""
    layout = ctx.layout
    if layout.place(component).language != "python":
        return []
    added: list[str] = []
    for relative, content in layout.package_files().items():
        if not (ctx.run.writer.root / relative).exists():
            ctx.run.writer.write_text(relative, content)
        if relative not in added:
            added.append(relative)
    top = layout.folder(component)
    folders = {Path(item).parent.as_posix() for item in written if item.endswith(".py")}
    folders.add(top)
    for folder in sorted(folders):
        if not (folder == top or folder.startswith(top + "/")):
            continue
        marker = f"{folder}/__init__.py"
        if marker not in written and not (ctx.run.writer.root / marker).exists():
            ctx.run.writer.write_text(marker, "")
            added.append(marker)
    return added


def remove_stale(ctx: RunContext, old: list[str], new: list[str]) -> None:
    """Delete files an earlier version wrote that the new version no longer has."""
    for relative in old:
        if relative in new:
            continue
        try:
            path = ctx.run.writer.resolve(relative)
        except UnsafePathError:
            continue
        path.unlink(missing_ok=True)
        ctx.run.journal.event("file_removed", path=relative)


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


def draft_of(ctx: RunContext, name: str) -> InterfaceDraft:
    return ctx.results.interface(name).draft


def code_of(ctx: RunContext, name: str) -> ComponentCode:
    """The latest code of a component: the repaired version when a repair changed it."""
    verify = ctx.results.verify(name)
    if verify is not None and verify.code is not None:
        return verify.code
    return ctx.results.code(name).code


def suite_of(ctx: RunContext, name: str) -> TestSuite:
    """The latest tests of a component: the repaired version when a repair changed them."""
    verify = ctx.results.verify(name)
    if verify is not None and verify.suite is not None:
        return verify.suite
    return ctx.results.suite(name).suite
