"""The spec drafter behind ``protosmith init``: prose in, a valid :class:`Spec` out.

The model fills a deliberately small draft (project, goals, scenarios) under a JSON Schema
with length and item limits, so even the embedded 270M model constrained by a grammar can
finish it within the token budget. Whatever a weak model still gets wrong (an empty name, no
scenarios, repeated names, languages protosmith cannot generate) is repaired here,
deterministically, and every repair is reported so the user knows what to review.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from protosmith import languages
from protosmith.llm.base import Backend, Message, Usage
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import complete_structured
from protosmith.prompts import render
from protosmith.spec.model import KNOWN_LANGUAGES, Spec

AGENT = "spec_drafter"
PRIORITIES = ("high", "medium", "low")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "by",
        "at",
        "as",
        "from",
        "into",
        "with",
        "that",
        "which",
        "who",
        "i",
        "we",
        "you",
        "it",
        "is",
        "are",
        "be",
        "can",
        "will",
        "should",
        "must",
        "my",
        "our",
        "your",
        "their",
        "them",
        "want",
        "need",
        "build",
        "create",
        "make",
        "write",
        "let",
        "lets",
        "please",
        "simple",
        "small",
        "tiny",
        "basic",
        "app",
    ]
)
_GENERIC = frozenset(
    ["user", "tool", "service", "system", "application", "program", "command", "line", "data"]
)
"""Words too common in any spec to show that a draft is about the user's description."""
_LIMITS = {"name": 60, "description": 300, "goal": 120, "acceptance": 150}


class DraftProject(BaseModel):
    """What the model fills for ``[project]``."""

    model_config = ConfigDict(extra="ignore")
    name: str
    description: str
    languages: list[str]


class DraftScenario(BaseModel):
    """What the model fills for one scenario."""

    model_config = ConfigDict(extra="ignore")
    name: str
    description: str
    acceptance: list[str]
    priority: str = Field(json_schema_extra={"enum": list(PRIORITIES)})


class Draft(BaseModel):
    """The whole draft: small on purpose, so a grammar-constrained small model can fill it."""

    model_config = ConfigDict(extra="ignore")
    project: DraftProject
    goals: list[str]
    scenarios: list[DraftScenario]


@dataclass
class DraftOutcome:
    """The drafted spec, the repairs applied to the model's answer, and what it cost."""

    spec: Spec
    repairs: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1


def draft_schema() -> dict[str, Any]:
    """The draft's JSON Schema with references inlined and size limits for constrained decoding."""
    schema = Draft.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[-1]]))
            return {
                k: inline(v)
                for k, v in node.items()
                if k != "title" and not (k == "description" and isinstance(v, str))
            }
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    schema = inline(schema)
    # Item limits and enums only: bounded string lengths expand into huge llama.cpp grammars
    # that make sampling slow; max_tokens bounds the length of a runaway string instead.
    project = schema["properties"]["project"]["properties"]
    project["languages"].update(
        {"items": {"type": "string", "enum": sorted(KNOWN_LANGUAGES)}, "minItems": 1, "maxItems": 3}
    )
    schema["properties"]["goals"]["maxItems"] = 5
    scenarios = schema["properties"]["scenarios"]
    scenarios.update({"minItems": 1, "maxItems": 5})
    scenarios["items"]["properties"]["acceptance"].update({"minItems": 1, "maxItems": 4})
    return schema


async def draft_spec(
    backend: Backend, prose: str, *, max_tokens: int = 1536, retries: int = 2
) -> DraftOutcome:
    """Ask the model for a draft (retrying replies that do not validate), then repair it."""
    schema = draft_schema()
    messages = [
        Message(
            role="system",
            content=render("init_system.j2", languages=", ".join(sorted(KNOWN_LANGUAGES))),
        ),
        Message(
            role="user",
            content=render(
                "init_user.j2",
                prose=prose.strip(),
                schema=json.dumps(schema, separators=(",", ":")),
            ),
        ),
    ]
    result = await complete_structured(
        backend, messages, Draft, agent=AGENT, max_tokens=max_tokens, retries=retries, schema=schema
    )
    spec, repairs = repair(result.value, prose)
    return DraftOutcome(spec, repairs, result.usage, result.attempts)


_SCHEMA_WORDS = frozenset(
    [
        "project",
        "goals",
        "goal",
        "scenarios",
        "scenario",
        "name",
        "description",
        "acceptance",
        "priority",
        "languages",
        "language",
        "string",
        "array",
        "object",
    ]
)
"""A value that is only a schema word is a tiny model echoing the schema: it counts as empty."""


def clean(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary within ``limit`` characters."""
    text = " ".join(text.split())
    if text.lower() in _SCHEMA_WORDS:
        return ""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut or text[:limit]).rstrip(" ,;:")


def name_from(text: str, fallback: str) -> str:
    """A short kebab-case name from the meaningful words of ``text``."""
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)]
    meaningful = [w for w in words if w not in _STOPWORDS] or words
    return "-".join(meaningful[:3])[: _LIMITS["name"]] or fallback


def sentences(text: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` sentences of ``text``, each cleaned."""
    parts = [clean(part, _LIMITS["acceptance"]) for part in re.split(r"(?<=[.!?])\s+", text)]
    return [part for part in parts if part][:limit]


def _unique(items: list[str]) -> list[str]:
    """Non-empty items, first occurrence kept."""
    return list(dict.fromkeys(item for item in items if item))


def _languages(values: list[str], repairs: list[str]) -> list[str]:
    chosen: list[str] = []
    for value in values:
        language = languages.canonical(value)
        if language is not None:
            chosen.append(language)
        elif value.strip():
            repairs.append(f"dropped language {value!r} (protosmith cannot generate it)")
    chosen = _unique(chosen)
    if not chosen:
        repairs.append(f"no usable language: using {languages.DEFAULT}")
        chosen = [languages.DEFAULT]
    return chosen


def _scenarios(draft: Draft, prose: str, repairs: list[str]) -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = []
    used: set[str] = set()
    seen_content: set[tuple[str, tuple[str, ...]]] = set()
    for position, item in enumerate(draft.scenarios, start=1):
        description = clean(item.description, _LIMITS["description"])
        acceptance = _unique([clean(a, _LIMITS["acceptance"]) for a in item.acceptance])
        name = clean(item.name, _LIMITS["name"])
        if not (name or description or acceptance):
            repairs.append(f"dropped empty scenario #{position}")
            continue
        content = (description, tuple(acceptance))
        if content in seen_content and (description or acceptance):
            repairs.append(f"dropped scenario #{position}: it repeats an earlier one")
            continue
        seen_content.add(content)
        if not name:
            name = name_from(description or " ".join(acceptance), f"scenario-{position}")
            repairs.append(f"scenario #{position} had no name: named it {name!r}")
        if not acceptance:
            acceptance = sentences(description, 1) or [f"The prototype supports {name}."]
            repairs.append(f"scenario {name!r} had no acceptance criteria: derived one")
        base, suffix = name, 2
        while name in used:
            name, suffix = f"{base}-{suffix}", suffix + 1
        if name != base:
            repairs.append(f"renamed repeated scenario {base!r} to {name!r}")
        used.add(name)
        priority = item.priority.strip().lower()
        if priority not in PRIORITIES:
            repairs.append(f"scenario {name!r}: priority {item.priority!r} is not high/medium/low")
            priority = "medium"
        scenarios.append(
            {
                "name": name,
                "description": description,
                "acceptance": acceptance,
                "priority": priority,
            }
        )
    if not scenarios:
        repairs.append("the draft had no scenarios: made one from the description")
        scenarios.append(
            {
                "name": "core-use-case",
                "description": clean(prose, _LIMITS["description"]),
                "acceptance": sentences(prose) or ["The prototype does what the description says."],
                "priority": "high",
            }
        )
    return scenarios


def _meaningful(text: str) -> set[str]:
    """Content words, crudely stemmed (``items`` and ``item`` match)."""
    words = re.findall(r"[a-z0-9]{3,}", text.lower())
    stems = {w.removesuffix("s") if len(w) > 3 else w for w in words if w not in _STOPWORDS}
    return stems - _GENERIC


def grounded(draft: Draft, prose: str) -> bool:
    """Whether the draft shares any meaningful word with the prose.

    A tiny model sometimes returns the prompt's example verbatim; such a draft is about
    something else entirely, so it is discarded rather than written as the user's spec.
    """
    words = _meaningful(prose)
    if not words:
        return True
    texts = [draft.project.name, draft.project.description, *draft.goals]
    for scenario in draft.scenarios:
        texts.extend([scenario.name, scenario.description, *scenario.acceptance])
    return bool(words & _meaningful(" ".join(texts).replace("-", " ")))


def repair(draft: Draft, prose: str) -> tuple[Spec, list[str]]:
    """Turn a weak model's draft into a valid spec; return it and the repairs made."""
    repairs: list[str] = []
    if not grounded(draft, prose):
        repairs.append(
            "the draft shares no word with the description (did the model copy an example?): "
            "drafted the spec from the description alone"
        )
        languages = draft.project.languages
        draft = Draft(
            project=DraftProject(name="", description="", languages=languages),
            goals=[],
            scenarios=[],
        )
    name = clean(draft.project.name, _LIMITS["name"])
    if not name:
        name = name_from(prose, "prototype")
        repairs.append(f"the draft had no project name: named it {name!r}")
    description = clean(draft.project.description, _LIMITS["description"])
    if not description:
        description = clean(prose, _LIMITS["description"])
        repairs.append("the draft had no project description: used the prose")
    data = {
        "goals": _unique([clean(goal, _LIMITS["goal"]) for goal in draft.goals])[:10],
        "project": {
            "name": name,
            "description": description,
            "languages": _languages(draft.project.languages, repairs),
        },
        "scenarios": _scenarios(draft, prose, repairs),
    }
    try:
        return Spec.model_validate(data), repairs
    except ValidationError as error:
        raise StructuredOutputError(
            f"{AGENT}: the repaired draft is still not a valid spec: {error}",
            hint="use a more capable model",
        ) from error
