"""The documentation agent: README, API.md, DEPLOYMENT.md and docs/architecture.md.

Facts are rendered, prose is asked for: API.md comes from the real interfaces, the
architecture page from the record and its Mermaid diagram, and the install/run/test commands
from the language tooling table. The model writes the overview and the deployment guide; when
it cannot, deterministic versions take their place, so a weak model still yields usable docs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from protosmith import languages
from protosmith.agents.architecture import summary as architecture_summary
from protosmith.agents.common import slug
from protosmith.agents.models import ArchitectureRecord, Docs, DocsDraft, InterfaceSpec
from protosmith.context.manager import ContextManager, ContextOverflow
from protosmith.languages import LanguageTooling, tooling
from protosmith.llm.base import Backend, RequestTask, Usage
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import complete_structured
from protosmith.prompts import render
from protosmith.spec.model import Spec

AGENT = "documentation"

log = logging.getLogger(__name__)


@dataclass
class ComponentDoc:
    """What the docs know about one component after the run."""

    name: str
    language: str
    summary: str
    interface: str
    status: str = "not run"
    depends_on: list[str] = field(default_factory=list)
    operations: list[InterfaceSpec] = field(default_factory=list)
    entry: str = ""
    """Stem of the main source file, for the run command."""
    location: str = ""
    """Folder relative to the output folder (from the layout); the component's slug if unset."""
    module: str = ""
    """How siblings import it (``shorturl.storage``), from the layout."""
    test_command: str = ""
    """The command that runs its tests from the project root, as the pipeline ran them."""
    install_command: str = ""
    """What to install before the tests, from the project root (from the layout)."""
    run_command: str = ""
    """The command that starts the program here, only when the smoke run verified it."""
    run_status: str = ""
    """What the smoke run saw for ``run_command`` (or why there is none)."""
    tests_ran: int = 0
    tests_passed: int = 0
    endpoints: list[str] = field(default_factory=list)
    """HTTP routes found in the component's code."""

    @property
    def run(self) -> str:
        if self.run_command or self.run_status:
            return self.run_command
        return self.tooling.run.replace("{entry}", self.entry or self.folder)

    @property
    def folder(self) -> str:
        return self.location or slug(self.name)

    @property
    def install(self) -> str:
        return self.install_command or self.tooling.install

    @property
    def test(self) -> str:
        return self.test_command or f"cd {self.folder} && {self.tooling.test}"

    @property
    def tooling(self) -> LanguageTooling:
        return tooling(self.language)

    @property
    def fence(self) -> str:
        known = languages.profile(self.language)
        return known.fence_name if known else self.language


@dataclass
class DocsOutcome:
    """The documents, what they cost, and whether the model's prose was used."""

    docs: Docs
    usage: Usage
    model_written: bool
    problem: str = ""


async def write_docs(
    backend: Backend,
    spec: Spec,
    record: ArchitectureRecord,
    components: list[ComponentDoc],
    *,
    context: ContextManager,
    max_tokens: int,
    retries: int,
) -> DocsOutcome:
    """All four documents; never fails for a weak model (deterministic prose instead)."""
    summary = architecture_summary(record)
    instruction = render(
        "documentation_user.j2",
        project=spec.project,
        architecture_summary=summary,
        record=record,
        components=components,
    )
    usage = Usage()
    problem = ""
    draft: DocsDraft | None = None
    try:
        messages = context.build(
            system=render("documentation_system.j2"),
            instruction=instruction,
            architecture_summary="",
            active=None,
            related=[],
        ).messages
        result = await complete_structured(
            backend,
            messages,
            DocsDraft,
            agent=AGENT,
            max_tokens=max_tokens,
            retries=retries,
            task=RequestTask(kind="docs", facts={"project": spec.project.name}),
        )
        usage = result.usage
        draft = result.value
    except (StructuredOutputError, ContextOverflow) as error:
        problem = str(error)
        log.info("documentation model failed (%s); rendering the docs deterministically", error)
    docs = render_docs(spec, record, components, draft)
    return DocsOutcome(docs=docs, usage=usage, model_written=draft is not None, problem=problem)


def render_docs(
    spec: Spec,
    record: ArchitectureRecord,
    components: list[ComponentDoc],
    draft: DocsDraft | None = None,
) -> Docs:
    """The documents from facts, with the model's prose where there is some."""
    overview = (
        strip_sections(draft.readme.strip(), _RENDERED)
        if draft is not None
        else render(
            "documentation_overview.j2",
            summary=record.analysis.summary,
            project=spec.project,
            components=components,
        )
    )
    readme = render(
        "documentation_readme.j2", project=spec.project, overview=overview, components=components
    )
    deployment = (
        draft.deployment.strip() + "\n"
        if draft is not None
        else render(
            "documentation_deployment.j2",
            project=spec.project,
            record=record,
            components=components,
        )
    )
    return Docs(
        readme=readme,
        api=render("documentation_api.j2", project=spec.project, components=components),
        deployment=deployment,
        architecture=render("documentation_architecture.j2", project=spec.project, record=record),
    )


_RENDERED = ("components", "install, run and test", "install", "run", "test", "testing")
"""README sections rendered from the run's record: the model's own versions are dropped, so
there is one "## Components" and its commands are the verified ones."""
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def strip_sections(markdown: str, titles: tuple[str, ...]) -> str:
    """``markdown`` without the sections (heading and body) whose titles are in ``titles``."""
    kept: list[str] = []
    skipping: int | None = None
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            level = len(match.group(1))
            if skipping is not None and level <= skipping:
                skipping = None
            if skipping is None and match.group(2).strip().lower() in titles:
                skipping = level
                continue
        if skipping is None:
            kept.append(line)
    return "\n".join(kept).strip()


DOC_PATHS = {
    "readme": "README.md",
    "api": "API.md",
    "deployment": "DEPLOYMENT.md",
    "architecture": "docs/architecture.md",
}
"""Where each document lands, relative to the output folder."""
