"""The prototype specification model.

Every field carries a docstring because the JSON Schema (``protosmith schema``) is generated
from this model and TOML editors show those descriptions while the user types.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from protosmith import languages


class _Strict(BaseModel):
    """Unknown keys are errors, and scalars are taken as written: ``"30"`` is text, not a
    number, and ``true`` is not a count (the ``Strict*`` field types; enums still accept their
    string values, which is how TOML writes them)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Priority(StrEnum):
    """How much a scenario matters when budgets force a choice."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Project(_Strict):
    """The `[project]` table."""

    name: StrictStr = Field(min_length=1, max_length=200)
    """Name of the prototype; used for the output README title and package names."""

    description: StrictStr = ""
    """What the prototype is for, in a few sentences."""

    languages: list[StrictStr] = Field(default_factory=lambda: ["python"], min_length=1)
    """Languages the prototype may use, preferred first (python, javascript, typescript, go, rust, java, csharp)."""

    output: StrictStr = "prototype"
    """Folder, relative to the workspace, where generated files are written. Must stay inside the workspace."""

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        normalized = [lang.strip().lower() for lang in value]
        unknown = [lang for lang in normalized if lang not in KNOWN_LANGUAGES]
        if unknown:
            raise ValueError(
                f"unknown language(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_LANGUAGES))}"
            )
        return normalized

    @field_validator("output")
    @classmethod
    def _inside_workspace(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("output folder contains a NUL character")
        if (
            PurePosixPath(value).is_absolute()
            or PureWindowsPath(value).is_absolute()
            or (len(value) > 1 and value[1] == ":")
        ):
            raise ValueError("output folder must be relative to the workspace, not absolute")
        if ".." in PurePosixPath(value.replace("\\", "/")).parts:
            raise ValueError("output folder must stay inside the workspace (no '..')")
        if value.strip() in ("", "."):
            raise ValueError("output folder must be a sub-folder, not the workspace root")
        return value


KNOWN_LANGUAGES = languages.KNOWN


class Scenario(_Strict):
    """One `[[scenarios]]` entry: a user-visible behaviour the prototype must have."""

    name: StrictStr = Field(min_length=1)
    """Unique identifier of the scenario; tests and findings refer to it."""

    description: StrictStr = ""
    """What happens in this scenario, from the user's point of view."""

    acceptance: list[StrictStr] = Field(min_length=1)
    """Acceptance criteria; each one is traced to code and tests."""

    priority: Priority = Priority.MEDIUM
    """high, medium or low."""

    steps: list[StrictStr] | None = None
    """Steps of the scenario; when absent the architecture agent derives them."""

    @field_validator("acceptance")
    @classmethod
    def _non_blank(cls, value: list[str]) -> list[str]:
        if not all(map(str.strip, value)):  # C-level loop: 40k scenarios cost milliseconds
            raise ValueError("acceptance criteria must not be blank")
        return value


class Architecture(_Strict):
    """The `[architecture]` table: guidelines the architecture agent must honour."""

    style: StrictStr | None = None
    """Architectural style, e.g. layered, hexagonal, microservices, event-driven."""

    patterns: list[StrictStr] = Field(default_factory=list)
    """Design patterns to apply, e.g. CQRS, event sourcing, repository."""

    polyglot: StrictBool = False
    """Let the architecture agent choose a language per component from `project.languages`."""


class LLMConfig(_Strict):
    """The `[llm]` table: which model the spec prefers. CLI flags and settings override it."""

    backend: StrictStr | None = None
    """local (llama.cpp in a worker process) or openai (any OpenAI-compatible endpoint)."""

    model: StrictStr | None = None
    """Model name for remote endpoints, or a GGUF path for the local backend."""

    base_url: StrictStr | None = None
    """Base URL of an OpenAI-compatible endpoint, e.g. http://localhost:8080/v1."""

    api_key_env: StrictStr | None = None
    """Name of the environment variable that holds the API key (never the key itself)."""

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value is not None and value not in ("local", "openai"):
            raise ValueError("backend must be 'local' or 'openai'")
        return value

    @field_validator("api_key_env")
    @classmethod
    def _looks_like_env_name(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("_", "").isalnum():
            raise ValueError("api_key_env names an environment variable, e.g. OPENAI_API_KEY")
        return value


class Budget(_Strict):
    """The `[budget]` table: limits that stop a run cleanly, leaving it resumable."""

    max_tokens: StrictInt | None = Field(default=None, gt=0)
    """Total prompt plus completion tokens for one run."""

    max_usd: StrictFloat | None = Field(default=None, ge=0)
    """Total cost in US dollars for one run (remote endpoints with known prices)."""

    max_minutes: StrictFloat | None = Field(default=None, gt=0)
    """Wall-clock limit for one run, in minutes."""

    max_repair_rounds: StrictInt = Field(default=2, ge=0, le=10)
    """How many times failing generated tests are sent back for repair."""


class Spec(_Strict):
    """A protosmith prototype specification (`protosmith.toml`)."""

    goals: list[StrictStr] = Field(default_factory=list)
    """Functional, business and performance goals, one per string."""

    project: Project
    """Project identity, languages and output folder."""

    context: dict[str, Any] = Field(default_factory=dict)
    """Free table: domain, users, constraints and any other key/values the agents should know."""

    scenarios: list[Scenario] = Field(min_length=1)
    """The behaviours the prototype must implement."""

    architecture: Architecture = Field(default_factory=Architecture)
    """Architectural guidelines."""

    conventions: dict[str, Any] = Field(default_factory=dict)
    """Free table of coding conventions (naming, formatting, error handling...)."""

    llm: LLMConfig = Field(default_factory=LLMConfig)
    """Preferred LLM backend for this spec."""

    budget: Budget = Field(default_factory=Budget)
    """Run limits."""

    @model_validator(mode="after")
    def _unique_scenarios(self) -> Spec:
        seen: set[str] = set()
        for index, scenario in enumerate(self.scenarios):
            if scenario.name in seen:
                raise DuplicateScenarioError(index, scenario.name)
            seen.add(scenario.name)
        return self


class DuplicateScenarioError(ValueError):
    """Raised from validation so the loader can point at the second occurrence."""

    def __init__(self, index: int, name: str) -> None:
        super().__init__(f"duplicate scenario name {name!r}")
        self.index = index
        self.name = name


def json_schema() -> dict[str, Any]:
    """The spec's JSON Schema, generated from the model (never written by hand)."""
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "protosmith.toml"
    return schema
