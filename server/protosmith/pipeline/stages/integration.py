"""Polyglot runs: OpenAPI contracts between components in different languages, and their smoke test.

A contract is derived deterministically from the provider's interface in the architecture
record (each operation becomes ``POST /<operation>`` with JSON schemas from its signature and
data types), unless the model gave one in ``integration``. It is written to
``contracts/<component>.openapi.json`` and shown to both sides. After the components are
verified, the ``integration`` task starts each service with its start command and checks it
against its contract; a missing toolchain is reported as not run, never as a pass.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

from protosmith.agents.brief import ComponentBrief
from protosmith.agents.common import slug
from protosmith.agents.models import ArchitectureRecord, ComponentCode, ComponentSpec
from protosmith.agents.polyglot import cross_language_edges
from protosmith.analysis.findings import Finding
from protosmith.analysis.review import ReviewResult
from protosmith.execution.findings import findings_from_smoke
from protosmith.execution.integration import ServiceSpec, smoke_test
from protosmith.execution.toolchains import search_path
from protosmith.graph import topological_order
from protosmith.pipeline import run_findings
from protosmith.pipeline.keys import task_id
from protosmith.pipeline.results import (
    ContractSmoke,
    ImportRun,
    IntegrationResult,
    LanguageTree,
    Outcome,
    ServiceCheck,
    SmokeRun,
    TreeReport,
    TreeTests,
)
from protosmith.pipeline.run import GenerationRun, RunContext
from protosmith.pipeline.tasks import code_of
from protosmith.prompts import render

_SCALARS: dict[str, tuple[dict[str, Any], Any]] = {
    "int": ({"type": "integer"}, 1),
    "integer": ({"type": "integer"}, 1),
    "long": ({"type": "integer"}, 1),
    "float": ({"type": "number"}, 1.5),
    "double": ({"type": "number"}, 1.5),
    "number": ({"type": "number"}, 1.5),
    "decimal": ({"type": "number"}, 1.5),
    "str": ({"type": "string"}, "example"),
    "string": ({"type": "string"}, "example"),
    "bool": ({"type": "boolean"}, True),
    "boolean": ({"type": "boolean"}, True),
}
_NAMED = re.compile(r"^\s*(\w+)\s*\{(.*)\}\s*$")
_PARAM = re.compile(r"(\w+)\s*:\s*([\w\[\]<>., ]+?)\s*(?:=[^,]*)?$")


def _named_types(component: ComponentSpec) -> dict[str, dict[str, str]]:
    """``Order{id: str, total: float}`` declarations from the data types, by name."""
    found: dict[str, dict[str, str]] = {}
    for operation in component.interfaces:
        for declared in operation.data_types:
            match = _NAMED.match(declared)
            if match:
                fields = {}
                for part in match.group(2).split(","):
                    name, _, kind = part.partition(":")
                    if name.strip():
                        fields[name.strip()] = kind.strip() or "string"
                found[match.group(1)] = fields
    return found


def _schema(kind: str, named: dict[str, dict[str, str]]) -> tuple[dict[str, Any], Any]:
    """A JSON schema and an example value for a declared type name."""
    kind = kind.strip().strip("'\"")
    lowered = kind.lower()
    if lowered in _SCALARS:
        schema, example = _SCALARS[lowered]
        return dict(schema), example
    inner = re.match(r"^(?:list|List|array|Array|Vec|\w+\[\])\[?<?(\w*)", kind)
    if inner and (kind.endswith("]") or kind.endswith(">")) and inner.group(1):
        item, example = _schema(inner.group(1), named)
        return {"type": "array", "items": item}, [example]
    if kind in named:
        props, example = {}, {}
        for field_name, field_kind in named[kind].items():
            props[field_name], example[field_name] = _schema(field_kind, named)
        return {"type": "object", "properties": props, "required": sorted(props)}, example
    return {}, {}


def _operation(item: Any, named: dict[str, dict[str, str]]) -> dict[str, Any]:
    params = re.search(r"\(([^)]*)\)", item.signature or "")
    properties: dict[str, Any] = {}
    example: dict[str, Any] = {}
    for part in params.group(1).split(",") if params else []:
        match = _PARAM.match(part.strip())
        if match and match.group(1) not in ("self", "cls"):
            properties[match.group(1)], example[match.group(1)] = _schema(match.group(2), named)
    returns = re.search(r"->\s*([\w\[\]<>]+)", item.signature or "")
    result_schema, _ = _schema(returns.group(1) if returns else "", named)
    ok = {"type": "object", "required": ["result"], "properties": {"result": result_schema}}
    return {
        "operationId": item.name,
        "summary": item.description or item.name,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": properties},
                    "example": example,
                }
            },
        },
        "responses": {
            "200": {"description": "result", "content": {"application/json": {"schema": ok}}},
            "400": {"description": "invalid request"},
        },
    }


def contract_for(record: ArchitectureRecord, component: ComponentSpec) -> dict[str, Any]:
    """The OpenAPI 3 document of ``component``: the model's, else derived from its interface."""
    try:
        given = json.loads(record.integration)
    except ValueError:
        given = None
    own = given.get(component.name) if isinstance(given, dict) else None
    if isinstance(own, dict) and "paths" in own:
        return dict(own)
    named = _named_types(component)
    paths: dict[str, Any] = {
        "/health": {
            "get": {
                "operationId": "health",
                "responses": {
                    "200": {
                        "description": "alive",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                }
                            }
                        },
                    }
                },
            }
        }
    }
    for item in component.interfaces:
        paths[f"/{slug(item.name)}"] = {"post": _operation(item, named)}
    return {
        "openapi": "3.0.3",
        "info": {"title": f"{component.name} ({component.language})", "version": "1.0.0"},
        "paths": paths,
    }


def service_components(record: ArchitectureRecord) -> list[str]:
    """Components that run as HTTP services: both ends of every cross-language dependency."""
    names: list[str] = []
    for consumer, provider in cross_language_edges(record):
        names.extend(n for n in (provider, consumer) if n not in names)
    return names


def prepare_contracts(
    run: GenerationRun, record: ArchitectureRecord, briefs: dict[str, ComponentBrief]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Write every contract, hand it to both sides' briefs, journal the language choices.

    Returns the contracts by component and the files written (none unless polyglot).
    """
    if not run.spec.architecture.polyglot:
        return {}, []
    for component in record.components:
        if component.language_reason:
            run.journal.event(
                "language_choice",
                component=component.name,
                language=component.language,
                reason=component.language_reason,
            )
    services = service_components(record)
    contracts = {name: contract_for(record, record.component(name)) for name in services}
    written = []
    for name, document in contracts.items():
        relative = contract_path(name)
        run.writer.write_text(relative, json.dumps(document, indent=2) + "\n")
        written.append(relative)
    for name in services:
        component = record.component(name)
        consumed = [dep for dep in component.depends_on if dep in contracts]
        briefs[name].facts.update(service="1", providers=",".join(consumed))
        briefs[name].contracts = render(
            "deploy_contract_prompt.j2",
            name=name,
            own=json.dumps(contracts[name], indent=1),
            consumed=[
                (dep, env_var(dep), json.dumps(contracts[dep], indent=1)) for dep in consumed
            ],
        )
    return contracts, written


def contract_path(name: str) -> str:
    return f"contracts/{slug(name)}.openapi.json"


def env_var(name: str) -> str:
    """The base-URL variable a consumer reads to reach ``name``."""
    return f"{slug(name).upper()}_URL"


def start_command(component: ComponentSpec, code: ComponentCode) -> list[str]:
    """The declared start command, else the language's usual way to run the main file.

    A leading ``cd DIR &&`` is dropped: where a service starts is the layout's decision
    (:func:`service_cwd`), and ``cd`` is no program the sandbox can start.
    """
    declared = code.start.strip()
    while declared.startswith("cd ") and "&&" in declared:
        declared = declared.split("&&", 1)[1].strip()
    if declared:
        return shlex.split(declared)
    sources = [f.path for f in code.files if "test" not in f.path.lower()]
    service = [p for p in sources if Path(p).stem in ("service", "server", "main", "app")]
    main = (service or sources or [""])[0]
    if component.language in ("javascript", "typescript"):
        return ["node", main]
    if component.language == "go":
        return ["go", "run", "."]
    return ["python", "-m", Path(main).with_suffix("").as_posix().replace("/", ".")]


def service_cwd(ctx: RunContext, name: str, command: list[str]) -> Path:
    """Where a service starts: the project root for a Python package module (``python -m
    pkg.component...``), else the component's folder."""
    placement = ctx.layout.place(name)
    root = ctx.run.writer.root
    module = command[2] if command[:2] == ["python", "-m"] and len(command) > 2 else ""
    if placement.language == "python" and module.startswith(ctx.layout.package + "."):
        return root
    return root / placement.folder


async def integration_task(ctx: RunContext) -> tuple[IntegrationResult, list[str]]:
    """The ``integration:services`` task body (writes no files): the components together.

    Two stages: the service contracts of a polyglot run, and for every language tree the
    whole tree's tests in one run plus the smoke run (each component imported for real, the
    entry point started). A component whose own tests pass only against fakes of its
    dependencies fails here, and the run is partial, not succeeded.
    """
    smoke = await run_integration(ctx, ctx.contracts) if ctx.contracts else None
    tree = await tree_stage(ctx)
    parts: list[ContractSmoke | TreeReport] = [tree] if smoke is None else [smoke, tree]
    statuses = {part.status for part in parts}
    status: Outcome = (
        "failed"
        if "failed" in statuses
        else "passed"
        if statuses == {"passed"}
        else "passed"
        if "passed" in statuses
        else "not_run"
    )
    detail = "; ".join(part.detail for part in parts if part.detail)
    merged = IntegrationResult(status=status, detail=detail, tree=tree)
    if smoke is not None:
        merged.services, merged.findings = smoke.services, smoke.findings
    return merged, []


def entry_components(ctx: RunContext) -> list[str]:
    """Components nothing else depends on: where the program starts."""
    used = {dep for c in ctx.record.components for dep in c.depends_on}
    return [c.name for c in ctx.record.components if c.name not in used]


def run_command(ctx: RunContext, name: str) -> list[str]:
    """How the program is started at component ``name`` (from the project root), or []."""
    layout = ctx.layout
    placement = layout.place(name)
    root = ctx.run.writer.root
    if placement.language == "python" and (root / placement.folder / "__main__.py").is_file():
        return ["python", "-m", placement.module]
    if placement.language in ("javascript", "typescript"):
        for main in ("main.js", "index.js", "server.js"):
            if (root / placement.folder / main).is_file():
                return ["node", f"{placement.folder}/{main}"]
    return []


async def tree_stage(ctx: RunContext) -> TreeReport:
    """Per language tree: all its tests in one run, every component imported, the entry run."""
    from protosmith.execution.service import run_commands

    layout = ctx.layout
    languages: dict[str, list[str]] = {}
    for component in ctx.record.components:
        if task_id("implement", component.name) in ctx.results:
            languages.setdefault(layout.place(component.name).language, []).append(component.name)
    trees: dict[str, LanguageTree] = {}
    commands: dict[str, SmokeRun] = {}
    statuses: list[str] = []
    notes: list[str] = []
    for language, names in languages.items():
        if language not in ("python", "javascript", "typescript"):
            continue
        entry = LanguageTree(components=names)
        if ctx.run.runner is None:
            entry.status = "not_run"
            entry.reason = ctx.run.runner_missing
            trees[language] = entry
            statuses.append("not_run")
            continue
        view = layout.whole_view(language)
        if len(names) > 1:
            whole = await ctx.run.runner(ctx.run.writer.root, language, view)
            entry.tests = TreeTests(
                status=whole.status,
                passed=whole.passed,
                failed=whole.failed + whole.errors,
                reason=whole.reason[:500],
            )
            ctx.run.journal.event(
                "test_run",
                component=f"{language} tree",
                round=0,
                status=whole.status,
                passed=whole.passed,
                failed=whole.failed,
                errors=whole.errors,
                reason=whole.reason,
                duration_s=whole.duration_s,
            )
            statuses.append(whole.status if whole.status != "error" else "failed")
            notes.append(f"{language} tree tests {whole.status} ({whole.passed} passed)")
        imports = []
        if language == "python":
            imports = [["python", "-c", f"import {layout.place(n).module}"] for n in names]
        elif language == "javascript":
            imports = [
                ["node", "-e", f"require('./{layout.place(n).folder}/{layout.place(n).entry}')"]
                for n in names
            ]
        runs = await run_commands(ctx.run.writer.root, language, imports, view=view, timeout_s=30)
        failed_imports = [
            f"{' '.join(run.command[-1:])}: {run.detail} {_last_line(run.output)}".strip()
            for run in runs
            if run.status == "failed"
        ]
        entry.imports = ImportRun(ran=len(runs), failed=failed_imports)
        if runs:
            statuses.append("failed" if failed_imports else "passed")
        for name in entry_components(ctx):
            if name not in names:
                continue
            command = run_command(ctx, name)
            if not command:
                notes.append(f"{name}: no entry point to run")
                continue
            started = await run_commands(
                ctx.run.writer.root,
                language,
                [command],
                view=view,
                timeout_s=8,
                long_running=True,
                env={"PORT": "8765"},
            )
            run = started[0]
            commands[name] = SmokeRun(
                command=" ".join(command),
                status=run.status,
                detail=run.detail or "exited 0",
                output=_last_line(run.output),
            )
            statuses.append(run.status)
            notes.append(f"smoke run `{' '.join(command)}` {run.status}")
        trees[language] = entry
        if failed_imports:
            notes.append("import failed: " + "; ".join(failed_imports))
    status: Outcome = (
        "failed"
        if "failed" in statuses
        else "passed"
        if statuses and set(statuses) <= {"passed", "not_run"} and "passed" in statuses
        else "not_run"
    )
    report = TreeReport(status=status, detail="", languages=trees, commands=commands)
    ctx.run.journal.event(
        "integration_tree",
        status=status,
        report=report.model_dump(mode="json", exclude_none=True, include={"languages", "commands"}),
    )
    if status == "not_run" and not notes:
        reason = ctx.run.runner_missing if ctx.run.runner is None else "nothing to run together"
        detail = f"integration not run: {reason}"
    else:
        detail = f"integration {status}" + (": " + "; ".join(notes) if notes else "")
    report.detail = detail
    return report


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _service(ctx: RunContext, name: str, operations: list[str]) -> ServiceSpec | str:
    """How to start ``name`` (its providers' base URLs in its env), or why it cannot start."""
    if task_id("implement", name) not in ctx.results:
        return f"{name}: no code was generated"
    if ctx.run.runner is None:
        return ctx.run.runner_missing
    component = ctx.record.component(name)
    command = start_command(component, code_of(ctx, name))
    if shutil.which(command[0], path=search_path()) is None:
        return f"{command[0]} is not installed"
    env = {
        env_var(dep): "http://127.0.0.1:{port:" + dep + "}"
        for dep in component.depends_on
        if dep in ctx.contracts
    }
    cwd = service_cwd(ctx, name, command)
    return ServiceSpec(name=name, command=command, cwd=cwd, env=env, operations=operations)


def _providers(ctx: RunContext, name: str) -> list[str]:
    """The services ``name`` reaches, directly or not, providers first."""
    needed: set[str] = set()
    stack = [d for d in ctx.record.component(name).depends_on if d in ctx.contracts]
    while stack:
        dep = stack.pop()
        if dep not in needed:
            needed.add(dep)
            stack.extend(d for d in ctx.record.component(dep).depends_on if d in ctx.contracts)
    order = topological_order({c.name: c.depends_on for c in ctx.record.components})
    return [item for item in order if item in needed]


async def run_integration(ctx: RunContext, contracts: dict[str, dict[str, Any]]) -> ContractSmoke:
    """Start each service (after the services it calls) and check it against its contract.

    Providers started for a consumer are checked only on ``health``; each is checked in full
    in its own run. Violations become PS505 findings on the contract file.
    """
    results: dict[str, ServiceCheck] = {}
    findings: list[Finding] = []
    for name, document in contracts.items():
        specs = [_service(ctx, dep, ["health"]) for dep in _providers(ctx, name)]
        specs.append(_service(ctx, name, []))
        reasons = [item for item in specs if isinstance(item, str)]
        if reasons:
            results[name] = ServiceCheck(status="not_run", reason="; ".join(reasons))
            continue
        services = [item for item in specs if isinstance(item, ServiceSpec)]
        smoke = await smoke_test(document, services)
        results[name] = ServiceCheck.model_validate(
            {
                "status": smoke.status,
                "command": " ".join(services[-1].command),
                "with": [item.name for item in services[:-1]],
                "checks": len(smoke.checks),
                "problems": smoke.problems,
            }
        )
        relative = contract_path(name)
        for finding in findings_from_smoke(
            smoke, contract_path=relative, contract_text=json.dumps(document, indent=2)
        ):
            findings.append(finding)
            ctx.run.journal.event(
                "finding", rule=finding.code, path=relative, message=finding.message
            )
    output = ctx.run.writer.root.resolve().relative_to(ctx.run.writer.workspace.resolve())
    on_disk = [
        item.model_copy(update={"path": (output / item.path).as_posix()}) for item in findings
    ]
    run_findings.record(
        ctx.run.journal,
        "integration",
        ReviewResult(findings=on_disk, files=sorted({item.path for item in on_disk})),
    )
    statuses = {item.status for item in results.values()}
    status: Outcome
    if statuses == {"passed"}:
        status = "passed"
    elif statuses & {"failed", "error"}:
        status = "failed"
    else:
        status = "not_run"
    ctx.run.journal.event(
        "integration_smoke",
        status=status,
        services={
            name: item.model_dump(mode="json", exclude_none=True, by_alias=True)
            for name, item in results.items()
        },
        findings=len(findings),
    )
    detail = f"integration smoke test {status}: " + ", ".join(
        f"{name} {item.status}" + (f" ({item.reason})" if item.reason is not None else "")
        for name, item in results.items()
    )
    return ContractSmoke(status=status, detail=detail, services=results, findings=findings)


_BASE_IMAGES = {
    "python": "python:3.11-slim",
    "javascript": "node:20-slim",
    "typescript": "node:20-slim",
    "go": "golang:1.22",
    "rust": "rust:1.79",
    "java": "eclipse-temurin:21",
    "csharp": "mcr.microsoft.com/dotnet/sdk:8.0",
}


def write_deployment(ctx: RunContext, components: list[Any]) -> tuple[list[str], str]:
    """A Dockerfile per component and docker-compose.yml; returns the files and a DEPLOYMENT.md section."""
    services = []
    port = 8000
    for doc in components:
        component = ctx.record.component(doc.name)
        command = (
            start_command(component, code_of(ctx, doc.name))
            if task_id("implement", doc.name) in ctx.results
            else ["sh", "-c", "echo no code was generated"]
        )
        port += 1
        folder = ctx.layout.folder(doc.name)
        # A Python package module needs the whole tree: build from the project root.
        from_root = component.language == "python" and (
            "." in (command[2] if command[:2] == ["python", "-m"] and len(command) > 2 else "")
        )
        service = {
            "name": slug(doc.name),
            "context": "." if from_root else f"./{folder}",
            "dockerfile": f"{folder}/Dockerfile" if from_root else "Dockerfile",
            "language": component.language,
            "reason": component.language_reason,
            "image": _BASE_IMAGES.get(component.language, "debian:stable-slim"),
            "command": json.dumps(command),
            "port": port,
            "is_service": doc.name in ctx.contracts,
            "env": {
                env_var(dep): f"http://{slug(dep)}:{8001 + _index(components, dep)}"
                for dep in component.depends_on
                if dep in ctx.contracts
            },
        }
        services.append(service)
    files = []
    for service, doc in zip(services, components, strict=True):
        relative = f"{ctx.layout.folder(doc.name)}/Dockerfile"
        ctx.run.writer.write_text(relative, render("deploy_dockerfile.j2", service=service))
        files.append(relative)
    ctx.run.writer.write_text("docker-compose.yml", render("deploy_compose.j2", services=services))
    files.append("docker-compose.yml")
    section = render(
        "deploy_notes.j2", services=services, contracts=[contract_path(n) for n in ctx.contracts]
    )
    return files, section


def _index(components: list[Any], name: str) -> int:
    return next(i for i, doc in enumerate(components) if doc.name == name)
