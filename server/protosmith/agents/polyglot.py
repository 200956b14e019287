"""Language choice per component for polyglot prototypes, with the reason written down.

The model proposes a language per component; this module decides. An explicit convention
(``[conventions] languages.<component> = "go"``) wins, then the model's choice, then the
language whose traits best match the component's responsibility. Every choice stays within
``project.languages`` and carries a one-sentence reason for the journal and the docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from protosmith.agents.models import ArchitectureRecord, ComponentSpec
from protosmith.spec.model import Spec


@dataclass(frozen=True)
class LanguageTraits:
    """What a language is good at, as used to place components."""

    performance: str
    ecosystem: str
    concurrency: str
    typical_use: str
    keywords: tuple[str, ...]


TRAITS: dict[str, LanguageTraits] = {
    "python": LanguageTraits(
        "moderate",
        "data science, ML, scripting",
        "threads/asyncio with a GIL",
        "data/ML pipelines and glue code; fast to write",
        ("data", "ml", "model", "analytics", "report", "etl", "script", "glue", "predict"),
    ),
    "javascript": LanguageTraits(
        "good for IO",
        "npm, web",
        "single-threaded event loop",
        "web front ends and IO-bound APIs",
        ("web", "ui", "frontend", "storefront", "browser", "api", "gateway", "http", "ws"),
    ),
    "typescript": LanguageTraits(
        "good for IO",
        "npm, web, typed",
        "single-threaded event loop",
        "typed web front ends and IO-bound APIs",
        ("web", "ui", "frontend", "storefront", "browser", "api", "gateway", "typed"),
    ),
    "go": LanguageTraits(
        "high",
        "cloud-native tooling",
        "goroutines and channels",
        "concurrent network services",
        ("concurren", "network", "proxy", "stream", "queue", "worker", "service", "realtime"),
    ),
    "rust": LanguageTraits(
        "very high",
        "systems, crates.io",
        "async with ownership-checked threads",
        "performance- and safety-critical parts",
        ("performance", "fast", "latency", "safety", "crypto", "parser", "engine", "compute"),
    ),
    "java": LanguageTraits(
        "high (JIT)",
        "enterprise JVM ecosystem",
        "threads and virtual threads",
        "enterprise back ends on the JVM",
        ("enterprise", "transaction", "billing", "ledger", "jvm", "batch", "order"),
    ),
    "csharp": LanguageTraits(
        "high (JIT)",
        ".NET ecosystem",
        "async/await on the thread pool",
        ".NET services and Windows integration",
        ("dotnet", ".net", "windows", "desktop", "enterprise", "azure"),
    ),
}


def _conventions_choice(spec: Spec, component: str) -> str:
    table: Any = spec.conventions.get("languages", {})
    if isinstance(table, dict):
        value = table.get(component)
        if isinstance(value, str):
            return value.strip().lower()
    return ""


def _by_traits(component: ComponentSpec, allowed: list[str]) -> tuple[str, str]:
    """The allowed language whose keywords best match the responsibility; first allowed on ties."""
    text = " ".join(
        [component.name, component.responsibility, *(i.description for i in component.interfaces)]
    ).lower()
    best, best_hits, matched = allowed[0], 0, ""
    for language in allowed:
        traits = TRAITS.get(language)
        if traits is None:
            continue
        hits = [word for word in traits.keywords if re.search(re.escape(word), text)]
        if len(hits) > best_hits:
            best, best_hits, matched = language, len(hits), ", ".join(hits)
    if not best_hits:
        return best, f"no trait matched its responsibility, so the preferred language {best}"
    return best, f"{TRAITS[best].typical_use} (matched: {matched})"


def assign_languages(record: ArchitectureRecord, spec: Spec) -> dict[str, tuple[str, str]]:
    """Per component, the language it is written in and why; always within project.languages."""
    allowed = [language.lower() for language in spec.project.languages]
    result: dict[str, tuple[str, str]] = {}
    for component in record.components:
        wanted = _conventions_choice(spec, component.name)
        proposed = component.language.strip().lower()
        if not spec.architecture.polyglot or len(allowed) == 1:
            result[component.name] = (allowed[0], "the project uses a single language")
        elif wanted in allowed:
            result[component.name] = (wanted, f"conventions ask for {wanted}")
        elif proposed in allowed:
            result[component.name] = (proposed, f"the architect chose {proposed}")
        else:
            language, why = _by_traits(component, allowed)
            note = f"{proposed!r} is not allowed; " if proposed else ""
            result[component.name] = (language, note + why)
    return result


def cross_language_edges(record: ArchitectureRecord) -> list[tuple[str, str]]:
    """(consumer, provider) pairs whose languages differ: these need an integration contract."""
    languages = {c.name: c.language for c in record.components}
    return [
        (component.name, dep)
        for component in record.components
        for dep in component.depends_on
        if dep in languages and languages[dep] != component.language
    ]
