"""The testing agent: tests from the interface and the acceptance criteria, traced to scenarios.

Tests are written from the contract (the interface) rather than from the code, so they can be
generated while the implementation is still being written and they check what was promised.
When a repair round decides the test itself is wrong, the failure goes back here.
"""

from __future__ import annotations

import logging

from protosmith.agents import tiny
from protosmith.agents.brief import ComponentBrief
from protosmith.agents.models import (
    ComponentCode,
    GeneratedFile,
    InterfaceDraft,
    RepairVerdict,
    TestSuite,
)
from protosmith.agents.validation import code_problems, complete_code
from protosmith.context.manager import ContextItem, ContextManager, ContextOverflow
from protosmith.languages import tooling
from protosmith.llm.base import Backend
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import StructuredResult, complete_structured
from protosmith.prompts import render

AGENT = "testing"
VERDICT_AGENT = "repair"
"""The verdict is the first step of a repair round: journal, accounting and prompts say so."""
_FILE_LIMIT = 16000

log = logging.getLogger(__name__)


def framework_for(language: str) -> str:
    """pytest, node:test, go test, cargo test, junit5 or xunit."""
    return tooling(language).framework


async def write_tests(
    backend: Backend,
    context: ContextManager,
    brief: ComponentBrief,
    draft: InterfaceDraft,
    *,
    max_tokens: int,
    retries: int,
    previous: TestSuite | None = None,
    feedback: str = "",
    dependencies: list[ContextItem] | None = None,
    code: ComponentCode | None = None,
) -> StructuredResult[TestSuite]:
    """Unit, edge-case and per-scenario integration tests; traces restricted to real scenarios.

    ``dependencies`` are the interfaces of the components it uses; a repair (``feedback``)
    also sees the previous tests and the current code, and the interface as implemented.
    A tiny model answers with cases that are rendered into the test file.
    """
    if tiny.is_tiny(backend, brief.language):
        return await tiny.write_cases(
            backend, brief, draft, max_tokens=max_tokens, retries=retries, feedback=feedback
        )
    tools = tooling(brief.language)
    interface = code.interface if code is not None and code.interface else draft.interface
    instruction = render(
        "testing_user.j2",
        component=brief.component,
        interface=interface,
        scenarios=brief.scenarios,
        tooling=tools,
        feedback=feedback,
        contracts=brief.contracts,
        imports=brief.imports,
        previous=list(previous.files) if previous is not None and feedback else [],
        code_files=list(code.files) if code is not None and feedback else [],
    )
    built = context.build(
        system=render("testing_system.j2", framework=tools.framework, language=brief.language),
        instruction=instruction,
        architecture_summary=brief.architecture_summary,
        active=None,
        related=list(dependencies or []),
    )
    result = await complete_code(
        backend,
        built.messages,
        TestSuite,
        agent=AGENT,
        max_tokens=max_tokens,
        retries=retries,
        check=lambda suite: code_problems(suite.files, brief.language, tests=True),
        task=brief.task("repair-tests" if feedback else "tests"),
    )
    suite = result.value
    known = {scenario.name for scenario in brief.scenarios}
    suite.traces = {test: scenario for test, scenario in suite.traces.items() if scenario in known}
    if not suite.framework:
        suite.framework = tools.framework
    return result


async def judge_failure(
    backend: Backend,
    context: ContextManager,
    brief: ComponentBrief,
    code: ComponentCode,
    suite: TestSuite,
    output: str,
    *,
    max_tokens: int,
    retries: int,
    interface: str = "",
    dependencies: list[ContextItem] | None = None,
) -> RepairVerdict:
    """Whether the implementation, the test or the environment is wrong; the code when unsure.

    The verdict sees the failing tests, the current code, the component's current interface
    and its dependencies' interfaces, and the test output already cut to what matters.
    """
    instruction = render(
        "testing_verdict.j2",
        component=brief.name,
        code_files=[_clip(item) for item in code.files],
        test_files=[_clip(item) for item in suite.files],
        output=output,
        interface=interface or code.interface,
        imports=brief.imports,
    )
    try:
        built = context.build(
            system=render("repair_system.j2", framework=suite.framework, language=brief.language),
            instruction=instruction,
            architecture_summary=brief.architecture_summary,
            active=None,
            related=list(dependencies or []),
        )
        result = await complete_structured(
            backend,
            built.messages,
            RepairVerdict,
            agent=VERDICT_AGENT,
            max_tokens=min(max_tokens, 1024),
            retries=retries,
            task=brief.task("verdict"),
        )
    except (ContextOverflow, StructuredOutputError) as error:
        log.info(
            "repair verdict for %s unavailable (%s); blaming the implementation", brief.name, error
        )
        return RepairVerdict(culprit="implementation", reason=f"no verdict: {error}")
    return result.value


def _clip(item: GeneratedFile) -> dict[str, str]:
    content = item.content
    if len(content) > _FILE_LIMIT:
        content = content[:_FILE_LIMIT] + "\n[... truncated]"
    return {"path": item.path, "content": content}
