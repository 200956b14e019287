"""What the agents exchange: pydantic models for every structured LLM reply and hand-off.

The same models validate the model's JSON (a validation error goes back as a bounded retry),
travel through the journal (``model_dump``) so a resumed run can reuse them, and feed the
documentation agent, which renders API.md from the real interfaces.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from protosmith.agents.common import placeholder_problems


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)


class InterfaceSpec(_Reply):
    """One public operation of a component."""

    name: str = Field(min_length=1)
    """Function, method, endpoint or message name."""
    signature: str = ""
    """Signature in the component's language, e.g. ``def add(a: int, b: int) -> int``."""
    description: str = ""
    """What it does, for callers."""
    data_types: list[str] = Field(default_factory=list)
    """Data types it accepts or returns, e.g. ``Order{id: str, total: float}``."""


class ComponentSpec(_Reply):
    """One component of the architecture."""

    name: str = Field(min_length=1)
    """Unique component name (a short identifier such as ``orders``)."""
    language: str = ""
    """Language the component is written in; one of project.languages."""
    language_reason: str = ""
    """Why this language was chosen (polyglot runs), for the journal and the docs."""
    responsibility: str = ""
    """What the component is responsible for."""
    interfaces: list[InterfaceSpec] = Field(default_factory=list)
    """Public interface other components and tests use."""
    depends_on: list[str] = Field(default_factory=list)
    """Names of components whose interfaces this one uses."""
    covers_scenarios: list[str] = Field(default_factory=list)
    """Names of the spec scenarios this component implements."""


class ScenarioAnalysis(_Reply):
    """A scenario as analysed: its steps, given or derived."""

    name: str
    """Scenario name from the spec."""
    steps: list[str] = Field(default_factory=list)
    """Ordered steps; derived by the architecture agent when the spec gives none."""
    derived: bool = False
    """True when the steps were derived rather than given in the spec."""


class RequirementsAnalysis(_Reply):
    """The architecture agent's reading of the spec."""

    summary: str = ""
    """What the system must do, in a few sentences."""
    scenarios: list[ScenarioAnalysis] = Field(default_factory=list)
    """Per scenario, its steps."""
    constraints: list[str] = Field(default_factory=list)
    """Constraints and quality attributes that shape the design."""


class ArchitectureRecord(_Reply):
    """The architecture of the prototype: the input of every later task."""

    analysis: RequirementsAnalysis = Field(default_factory=RequirementsAnalysis)
    """Requirements analysis."""
    style: str = ""
    """Architectural style applied (layered, microservices, event-driven...)."""
    components: list[ComponentSpec] = Field(min_length=1)
    """The components, each with its interface and dependencies."""
    patterns: list[str] = Field(default_factory=list)
    """Design patterns applied (CQRS, event sourcing, repository...)."""
    data_flow: list[str] = Field(default_factory=list)
    """How data moves between components, one hop per string."""
    integration: str = ""
    """How components talk to each other (in-process calls, REST, gRPC, message queue)."""
    deployment: str = ""
    """How the prototype is deployed and run."""
    mermaid: str = ""
    """A Mermaid ``graph`` diagram of the components."""

    def component(self, name: str) -> ComponentSpec:
        """The component called ``name`` (KeyError when absent)."""
        for item in self.components:
            if item.name == name:
                return item
        raise KeyError(name)


class InterfaceDraft(_Reply):
    """The interface step of the implementation agent: public surface before any code."""

    interface: str = Field(min_length=1)
    """Public signatures with docstrings, in the component's language (no bodies needed)."""
    summary: str = ""
    """Two or three sentences a dependant needs to use this component."""


class GeneratedFile(_Reply):
    """One file an agent wants written, relative to the component's folder."""

    path: str = Field(min_length=1)
    """Relative path, e.g. ``orders/service.py``."""
    content: str
    """Full file content."""


def _reject_placeholders(files: list[GeneratedFile]) -> list[GeneratedFile]:
    """Placeholder code fails validation, so the bounded structured retry sends it back."""
    problems = placeholder_problems([(item.path, item.content) for item in files])
    if problems:
        raise ValueError("; ".join(problems))
    return files


class ComponentCode(_Reply):
    """The implementation of one component."""

    files: list[GeneratedFile] = Field(min_length=1)
    """Source files, interface first, then implementation with docstrings."""
    summary: str = ""
    """What was built, for dependants and the docs."""
    interface: str = ""
    """The public interface as implemented (signatures), for dependants and API.md."""
    start: str = ""
    """Polyglot services only: the command that starts the HTTP service on ``$PORT``."""

    @field_validator("files")
    @classmethod
    def _complete(cls, files: list[GeneratedFile]) -> list[GeneratedFile]:
        return _reject_placeholders(files)


class TestSuite(_Reply):
    """The tests of one component."""

    files: list[GeneratedFile] = Field(min_length=1)
    """Test files, relative to the component's folder."""
    framework: str = ""
    """Test framework used (pytest, node:test, go test, cargo test, junit5, xunit)."""
    traces: dict[str, str] = Field(default_factory=dict)
    """Test name mapped to the scenario it covers."""

    @field_validator("files")
    @classmethod
    def _complete(cls, files: list[GeneratedFile]) -> list[GeneratedFile]:
        return _reject_placeholders(files)


class ModuleCode(_Reply):
    """A tiny model's implementation: the source of the component's one module.

    A 270M model names files badly (``hello/hello`` holding ``hello``); protosmith names the
    file from the layout and asks only for its content.
    """

    code: str = Field(min_length=1)
    """The complete source of the module."""

    @field_validator("code")
    @classmethod
    def _complete(cls, code: str) -> str:
        problems = placeholder_problems([("the module", code)])
        if problems:
            raise ValueError("; ".join(problems))
        return code


class CaseReply(_Reply):
    """A tiny model's answer for one acceptance criterion: the call and what it must give."""

    call: str = Field(min_length=1)
    """A Python expression that calls the interface, e.g. ``greet('Ada')``."""
    expected: str
    """The Python value the call returns, e.g. ``'Hello, Ada!'`` (empty when it raises)."""
    raises: str
    """The exception the call raises, e.g. ``ValueError`` (empty when it returns)."""


class CallCase(CaseReply):
    """One test: an acceptance criterion as a call of the interface and what it must give."""

    criterion: str = ""
    """The acceptance criterion this case checks."""


class CallCases(_Reply):
    """A tiny model's tests: cases protosmith renders into the framework's test file."""

    cases: list[CallCase] = Field(min_length=1)
    """One case per acceptance criterion that could be turned into a call."""
    untested: list[str] = Field(default_factory=list)
    """Criteria no valid case came back for (named in the test file)."""


class RepairVerdict(_Reply):
    """Which side of a failing test is wrong, as judged from the failure output."""

    culprit: str = Field(pattern="^(implementation|test|environment)$")
    """``implementation`` when the code is wrong, ``test`` when the test is wrong,
    ``environment`` when neither is: a dependency, an import path or a package is missing."""
    reason: str = ""
    """Why, in one sentence."""
    missing: str = ""
    """For ``environment``: the missing module, package or path, exactly as the output names it."""


class Docs(_Reply):
    """The documentation set written into the output folder."""

    readme: str = Field(min_length=1)
    """README.md: what it is, install, run, test."""
    api: str = ""
    """API.md, rendered from the real interfaces."""
    deployment: str = ""
    """DEPLOYMENT.md."""
    architecture: str = ""
    """docs/architecture.md, with the Mermaid diagram."""


class DocsDraft(_Reply):
    """What the documentation model writes; API.md and the diagram come from real data."""

    readme: str = Field(min_length=1)
    """README.md overview in Markdown: what the prototype does and how its parts fit together
    (the components table and the install, run and test commands are rendered from the run)."""
    deployment: str = Field(min_length=1)
    """DEPLOYMENT.md body in Markdown."""
