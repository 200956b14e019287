"""The documentation stage: README, API, DEPLOYMENT and architecture docs from what was built.

It always runs, whatever the graph tasks achieved: each component is described by its real
interface, its real test outcome and the commands the pipeline verified.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from protosmith.agents import implementation
from protosmith.agents.common import slug
from protosmith.agents.documentation import DOC_PATHS, ComponentDoc, render_docs, write_docs
from protosmith.agents.models import ComponentCode
from protosmith.llm.errors import BackendError
from protosmith.pipeline.keys import input_key, task_id
from protosmith.pipeline.results import DocsResult
from protosmith.pipeline.run import RunContext
from protosmith.pipeline.stages.integration import write_deployment
from protosmith.pipeline.tasks import code_of, draft_of


def component_docs(ctx: RunContext) -> list[ComponentDoc]:
    """What the docs say about each component: the real interface, outcome and commands."""
    layout = ctx.layout
    together = ctx.results.integration()
    commands = together.tree.commands if together else {}
    services = (together.services or {}) if together and ctx.contracts else {}
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
        verify = ctx.results.verify(name)
        if verify:
            status = verify.detail
        elif implemented:
            status = "not run: the code was generated but its tests did not run"
        else:
            status = "not run: no code was generated"
        run_command, run_status = "", ""
        smoke = commands.get(name)
        if smoke:
            if smoke.status == "passed":
                run_command = smoke.command
                run_status = f"Verified by the pipeline's smoke run: {smoke.detail}."
            else:
                run_status = (
                    f"The smoke run of `{smoke.command}` failed ({smoke.detail}): "
                    f"{smoke.output}".rstrip(": ")
                )
        elif name in services:
            checked = services[name]
            command = checked.command or ""
            if checked.status == "passed" and command:
                run_command = command
                where = "the project root" if placement.language == "python" else placement.folder
                run_status = (
                    f"Started from {where} and checked against its contract "
                    f"(`{integration_contract(name)}`) by the pipeline's integration smoke test."
                )
            else:
                reason = checked.reason or ", ".join((checked.problems or [])[:3])
                run_status = (
                    f"The integration smoke test did not start it ({checked.status}"
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
                install_command=layout.install_command(name, ctx.run.writer.root),
                run_command=run_command,
                run_status=run_status,
                tests_ran=verify.ran if verify else 0,
                tests_passed=verify.passed if verify else 0,
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
        ctx.run.fingerprint,
        ctx.record.model_dump(),
        [vars(c) | {"operations": [op.model_dump() for op in c.operations]} for c in components],
    )
    saved = ctx.run.journal.load_result("docs", key, DocsResult) if ctx.run.reuse else None
    if saved is not None:
        ctx.reused.append("docs")
        return saved[1], saved[0].note
    note = ""
    try:
        outcome = await write_docs(
            ctx.run.backend,
            ctx.run.spec,
            ctx.record,
            components,
            context=ctx.context,
            max_tokens=ctx.run.max_tokens,
            retries=ctx.run.retries(),
        )
        docs = outcome.docs
        if not outcome.model_written:
            note = "the documentation prose was rendered deterministically"
            ctx.run.journal.event("docs_fallback", error=outcome.problem)
    except BackendError as error:
        docs = render_docs(ctx.run.spec, ctx.record, components)
        note = "the documentation prose was rendered deterministically"
        ctx.run.journal.event("docs_fallback", error=str(error))
    files = []
    if ctx.contracts:
        deploy_files, section = write_deployment(ctx, components)
        files.extend(deploy_files)
        docs.deployment = docs.deployment.rstrip() + "\n\n" + section
    for field_name, relative in DOC_PATHS.items():
        ctx.run.writer.write_text(relative, getattr(docs, field_name))
        files.append(relative)
    ctx.run.journal.save_result("docs", key, DocsResult(note=note), files)
    return files, note
