"""What an agent is told about one component: its brief, and the scenarios it covers.

Its own module because both the implementation agent and the tiny-model path (which the
implementation agent dispatches to) take a brief.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from protosmith.agents.models import ComponentSpec
from protosmith.llm.base import RequestTask


@dataclass(frozen=True)
class ScenarioView:
    """A scenario as a component's prompts show it (only the scenarios it covers)."""

    name: str
    description: str
    acceptance: list[str]
    steps: list[str]


@dataclass
class ComponentBrief:
    """Everything an agent needs about one component, and nothing about the others."""

    component: ComponentSpec
    architecture_summary: str
    scenarios: list[ScenarioView]
    conventions: dict[str, Any] = field(default_factory=dict)
    contracts: str = ""
    """Polyglot runs: the OpenAPI contracts this component provides or calls (else empty)."""
    imports: str = ""
    """Where the component lives and how it imports its siblings (from the layout)."""
    require: tuple[str, ...] = ()
    """Files the implementation must contain (a Python package's ``__init__.py``)."""
    facts: dict[str, str] = field(default_factory=dict)
    """Typed facts for the request (module path, folder, language), see ``RequestTask``."""

    def task(self, kind: str, **extra: str) -> RequestTask:
        """The typed description of a request about this component."""
        facts = {"language": self.language, **self.facts, **extra}
        return RequestTask(kind=kind, component=self.name, facts=facts)

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def language(self) -> str:
        return self.component.language
