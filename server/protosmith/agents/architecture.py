"""The architecture agent: requirements analysis, components, interfaces, and a buildable graph.

The model proposes; this module checks what a model cannot be trusted with. Component
names must be unique, dependencies must name real components and form a DAG. A broken
graph goes back to the model with the exact problems (bounded rounds); unknown names and
duplicates that survive are repaired deterministically, a cycle that survives fails the run
with the cycle spelled out. Languages, derived steps and the Mermaid diagram are normalised
here so every later task sees the same, valid record.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from protosmith.agents.common import slug
from protosmith.agents.models import (
    ArchitectureRecord,
    ComponentSpec,
    InterfaceSpec,
    RequirementsAnalysis,
    ScenarioAnalysis,
)
from protosmith.agents.polyglot import assign_languages
from protosmith.context.manager import ContextManager
from protosmith.graph import find_cycle
from protosmith.llm.base import Backend, Message, RequestTask, Usage
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import complete_structured
from protosmith.prompts import render
from protosmith.spec.model import Spec

AGENT = "architecture"


class ArchitectureError(Exception):
    """The model's architecture could not be made buildable (e.g. a dependency cycle)."""


@dataclass
class ArchitectureOutcome:
    """The normalised record, what it cost, and what had to be repaired on the way."""

    record: ArchitectureRecord
    usage: Usage = field(default_factory=Usage)
    repairs: list[str] = field(default_factory=list)
    """Problems sent back to the model or fixed deterministically, for the journal."""


def spec_prompt(spec: Spec, context: ContextManager | None = None) -> list[Message]:
    """The architecture request for ``spec`` (deterministic, so the LLM cache can hit).

    With a context manager the prompt is measured against the budget (ContextOverflow when a
    spec is too large for the model's window).
    """
    system = render("architecture_system.j2")
    instruction = render(
        "architecture_user.j2",
        project=spec.project,
        polyglot=spec.architecture.polyglot,
        goals=spec.goals,
        context=spec.context,
        style=spec.architecture.style,
        patterns=spec.architecture.patterns,
        conventions=spec.conventions,
        scenarios=spec.scenarios,
    )
    if context is not None:
        return context.build(
            system=system, instruction=instruction, architecture_summary="", active=None, related=[]
        ).messages
    return [Message(role="system", content=system), Message(role="user", content=instruction)]


def graph_problems(record: ArchitectureRecord) -> list[str]:
    """Duplicate names, unknown dependencies and cycles, each as a sentence for the model."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for component in record.components:
        key = slug(component.name)
        if key in seen:
            problems.append(f"component name {component.name!r} is used twice")
        seen.setdefault(key, component.name)
    for component in record.components:
        unknown = [dep for dep in component.depends_on if slug(dep) not in seen]
        if unknown:
            problems.append(
                f"{component.name} depends on unknown component(s) {', '.join(unknown)}; "
                f"known: {', '.join(seen.values())}"
            )
    cycle = dependency_cycle(record)
    if cycle:
        problems.append("dependency cycle " + " -> ".join(cycle))
    return problems


def dependency_cycle(record: ArchitectureRecord) -> list[str] | None:
    """A cycle among the components' dependencies (by slug), or None for a DAG."""
    names = {slug(component.name) for component in record.components}
    edges = {
        slug(component.name): sorted({slug(dep) for dep in component.depends_on} & names)
        for component in record.components
    }
    return find_cycle(edges)


def _repair_deterministically(record: ArchitectureRecord) -> list[str]:
    """Drop unknown dependencies and rename duplicates; returns what was changed."""
    notes: list[str] = []
    used: set[str] = set()
    for component in record.components:
        base = slug(component.name)
        name = base
        counter = 2
        while name in used:
            name = f"{base}_{counter}"
            counter += 1
        if name != base:
            notes.append(f"renamed duplicate component {component.name!r} to {name!r}")
        component.name = name
        used.add(name)
    for component in record.components:
        kept = []
        for dep in component.depends_on:
            key = slug(dep)
            if key in used and key != component.name and key not in kept:
                kept.append(key)
            elif key not in used:
                notes.append(f"dropped unknown dependency {dep!r} of {component.name}")
        component.depends_on = kept
    return notes


def _drop_self_dependencies(record: ArchitectureRecord) -> list[str]:
    """A component "depending on itself" means nothing; drop it rather than call it a cycle."""
    notes = []
    for component in record.components:
        own = slug(component.name)
        kept = [dep for dep in component.depends_on if slug(dep) != own]
        if len(kept) != len(component.depends_on):
            notes.append(f"dropped the self-dependency of {component.name}")
            component.depends_on = kept
    return notes


def normalise(record: ArchitectureRecord, spec: Spec) -> list[str]:
    """Make the record consistent with the spec in place; returns notes of what changed."""
    notes = _repair_deterministically(record)
    allowed = spec.project.languages
    scenario_names = [scenario.name for scenario in spec.scenarios]
    choices = assign_languages(record, spec) if spec.architecture.polyglot else {}
    for component in record.components:
        language = component.language.strip().lower()
        if component.name in choices and len(allowed) > 1:
            chosen, component.language_reason = choices[component.name]
            if chosen != language:
                notes.append(f"{component.name}: language {chosen} ({component.language_reason})")
            language = chosen
        elif language not in allowed:  # project.languages are allowed per component
            if language and language != allowed[0]:
                notes.append(f"{component.name}: language {language!r} replaced by {allowed[0]}")
            language = allowed[0]
        component.language = language
        covered = [name for name in component.covers_scenarios if name in scenario_names]
        component.covers_scenarios = list(dict.fromkeys(covered))
    covered_any = {name for c in record.components for name in c.covers_scenarios}
    for name in scenario_names:
        if name not in covered_any:
            record.components[0].covers_scenarios.append(name)
            notes.append(
                f"scenario {name!r} was uncovered; assigned to {record.components[0].name}"
            )
    record.analysis.scenarios = _scenario_steps(record.analysis, spec)
    if not record.style:
        record.style = spec.architecture.style or ""
    for pattern in spec.architecture.patterns:
        if pattern.lower() not in {p.lower() for p in record.patterns}:
            record.patterns.append(pattern)
    if not valid_mermaid(record.mermaid, record):
        record.mermaid = mermaid_for(record)
    return notes


def _scenario_steps(analysis: RequirementsAnalysis, spec: Spec) -> list[ScenarioAnalysis]:
    """Given steps win; derived steps from the model next; acceptance criteria as a last resort."""
    proposed = {item.name: item for item in analysis.scenarios}
    result = []
    for scenario in spec.scenarios:
        if scenario.steps:
            result.append(ScenarioAnalysis(name=scenario.name, steps=scenario.steps, derived=False))
            continue
        model_steps = [
            step
            for step in proposed.get(scenario.name, ScenarioAnalysis(name="")).steps
            if step.strip()
        ]
        steps = model_steps or [f"Then {item}" for item in scenario.acceptance]
        result.append(ScenarioAnalysis(name=scenario.name, steps=steps, derived=True))
    return result


_MERMAID_HEAD = re.compile(r"^\s*(graph|flowchart)\s+(TD|TB|BT|LR|RL)\b", re.I)


def valid_mermaid(text: str, record: ArchitectureRecord) -> bool:
    """A graph/flowchart header and every component named; anything less is regenerated."""
    if not text or not _MERMAID_HEAD.match(text) or "```" in text:
        return False
    return all(component.name in text for component in record.components)


def mermaid_for(record: ArchitectureRecord) -> str:
    """A deterministic ``graph TD`` of the components and their dependencies."""
    lines = ["graph TD"]
    for component in record.components:
        label = f"{component.name} ({component.language})".replace('"', "'")
        lines.append(f'    {component.name}["{label}"]')
    for component in record.components:
        for dep in component.depends_on:
            lines.append(f"    {component.name} --> {dep}")
    return "\n".join(lines) + "\n"


def fallback_record(spec: Spec) -> ArchitectureRecord:
    """A single-component architecture derived from the spec alone, for models that cannot design."""
    name = slug(spec.project.name)
    interfaces = [
        InterfaceSpec(
            name=slug(scenario.name),
            signature="",
            description=scenario.description or "; ".join(scenario.acceptance),
        )
        for scenario in spec.scenarios
    ]
    record = ArchitectureRecord(
        analysis=RequirementsAnalysis(summary=spec.project.description),
        style=spec.architecture.style or "modular monolith",
        components=[
            ComponentSpec(
                name=name,
                language=spec.project.languages[0],
                responsibility=spec.project.description or f"Implements {spec.project.name}.",
                interfaces=interfaces,
                covers_scenarios=[scenario.name for scenario in spec.scenarios],
            )
        ],
        patterns=list(spec.architecture.patterns),
        data_flow=[f"caller -> {name}"],
        integration="in-process calls",
        deployment="Run the component locally with its language's standard tooling.",
    )
    normalise(record, spec)
    return record


class TooSmallToDesign(StructuredOutputError):
    """The model is too small to be asked for a design (the one place that decides it)."""


async def design(
    backend: Backend,
    spec: Spec,
    *,
    max_tokens: int,
    retries: int,
    repair_rounds: int = 2,
    context: ContextManager | None = None,
) -> ArchitectureOutcome:
    """Ask the model for an architecture and make it buildable.

    Raises :class:`protosmith.llm.errors.StructuredOutputError` when no valid record ever
    came back, and :class:`ArchitectureError` when a dependency cycle survives the repairs.
    A tiny model is not asked (its designs name components "source" and "target"): it raises
    :class:`TooSmallToDesign`, and the caller falls back to the single-component design from the
    spec as a choice, not a failure.
    """
    if backend.capabilities.tiny:
        raise TooSmallToDesign(
            f"{AGENT}: the model is too small to design an architecture, so it was not asked",
            hint="use a more capable model",
        )
    conversation = spec_prompt(spec, context)
    outcome_usage = Usage()
    repairs: list[str] = []
    for round_ in range(repair_rounds + 1):
        task = RequestTask(
            kind="architecture" if round_ == 0 else "architecture-repair",
            facts={
                "project": spec.project.name,
                "languages": ",".join(spec.project.languages),
                "scenarios": "\n".join(s.name for s in spec.scenarios),
                "polyglot": "1" if spec.architecture.polyglot else "",
                **{f"context.{k}": str(v) for k, v in spec.context.items()},
            },
        )
        result = await complete_structured(
            backend,
            conversation,
            ArchitectureRecord,
            agent=AGENT,
            max_tokens=max_tokens,
            retries=retries,
            task=task,
        )
        outcome_usage = outcome_usage + result.usage
        record = result.value
        repairs.extend(_drop_self_dependencies(record))
        problems = graph_problems(record)
        if not problems:
            break
        repairs.extend(problems)
        if round_ == repair_rounds:
            break
        conversation = [
            *conversation,
            Message(
                role="assistant", content=json.dumps(record.model_dump(), separators=(",", ":"))
            ),
            Message(role="user", content=render("architecture_repair.j2", problems=problems)),
        ]
    cycle = dependency_cycle(record)
    if cycle:
        raise ArchitectureError(
            "the architecture still has a dependency cycle after "
            f"{repair_rounds} repair round(s): {' -> '.join(cycle)}"
        )
    repairs.extend(normalise(record, spec))
    return ArchitectureOutcome(record=record, usage=outcome_usage, repairs=repairs)


def summary(record: ArchitectureRecord) -> str:
    """The architecture summary every later prompt carries (no scenario text, so edits stay local)."""
    lines = []
    if record.style:
        lines.append(f"Style: {record.style}")
    if record.patterns:
        lines.append(f"Patterns: {', '.join(record.patterns)}")
    if record.integration:
        lines.append(f"Integration: {record.integration}")
    lines.append("Components:")
    for component in record.components:
        deps = f" (uses {', '.join(component.depends_on)})" if component.depends_on else ""
        lines.append(f"- {component.name} [{component.language}]: {component.responsibility}{deps}")
    return "\n".join(lines)
