"""The testing agent: tests from the interface and the acceptance criteria, traced to scenarios.

Tests are written from the contract (the interface) rather than from the code, so they can be
generated while the implementation is still being written and they check what was promised.
When a repair round decides the test itself is wrong, the failure goes back here.
"""

from __future__ import annotations

import logging

from protosmith.agents.common import tooling
from protosmith.agents.implementation import ComponentBrief
from protosmith.agents.models import ComponentCode, InterfaceDraft, RepairVerdict, TestSuite
from protosmith.context.manager import ContextManager, ContextOverflow
from protosmith.llm.base import Backend
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import StructuredResult, complete_structured
from protosmith.prompts import render

AGENT = "testing"
_FILE_LIMIT = 6000
_OUTPUT_LIMIT = 4000

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
) -> StructuredResult[TestSuite]:
    """Unit, edge-case and per-scenario integration tests; traces restricted to real scenarios."""
    tools = tooling(brief.language)
    instruction = render(
        "testing_user.j2",
        component=brief.component,
        interface=draft.interface,
        scenarios=brief.scenarios,
        tooling=tools,
        feedback=feedback,
        contracts=brief.contracts,
    )
    built = context.build(
        system=render("testing_system.j2", framework=tools.framework, language=brief.language),
        instruction=instruction,
        architecture_summary=brief.architecture_summary,
        active=None,
        related=[],
    )
    result = await complete_structured(
        backend, built.messages, TestSuite, agent=AGENT, max_tokens=max_tokens, retries=retries
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
) -> RepairVerdict:
    """Whether the implementation or the test is wrong; the implementation when unsure."""
    instruction = render(
        "testing_verdict.j2",
        component=brief.name,
        code_files=[_clip(item) for item in code.files],
        test_files=[_clip(item) for item in suite.files],
        output=output[-_OUTPUT_LIMIT:],
    )
    try:
        built = context.build(
            system=render("testing_system.j2", framework=suite.framework, language=brief.language),
            instruction=instruction,
            architecture_summary=brief.architecture_summary,
            active=None,
            related=[],
        )
        result = await complete_structured(
            backend,
            built.messages,
            RepairVerdict,
            agent="repair",
            max_tokens=min(max_tokens, 256),
            retries=retries,
        )
    except (ContextOverflow, StructuredOutputError) as error:
        log.info(
            "repair verdict for %s unavailable (%s); blaming the implementation", brief.name, error
        )
        return RepairVerdict(culprit="implementation", reason=f"no verdict: {error}")
    return result.value


def _clip(item: object) -> dict[str, str]:
    path = str(getattr(item, "path", ""))
    content = str(getattr(item, "content", ""))
    if len(content) > _FILE_LIMIT:
        content = content[:_FILE_LIMIT] + "\n[... truncated]"
    return {"path": path, "content": content}
