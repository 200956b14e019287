"""The implementation agent: a component's interface first, then its code.

Two calls, two task nodes: the interface is a contract dependants can start from while the
implementation is still being written. Prompts are built by the context manager, so the agent
sees the architecture summary, its own component in full, and only the summaries and
interfaces of the components it depends on. Placeholder code fails validation of
:class:`ComponentCode` and goes back to the model as a bounded retry.
"""

from __future__ import annotations

from protosmith.agents import tiny
from protosmith.agents.brief import ComponentBrief
from protosmith.agents.models import ComponentCode, InterfaceDraft, TestSuite
from protosmith.agents.validation import code_problems, complete_code
from protosmith.context.manager import ContextItem, ContextManager
from protosmith.languages import tooling
from protosmith.llm.base import Backend, Usage
from protosmith.llm.structured import StructuredResult, complete_structured
from protosmith.prompts import render

AGENT = "implementation"


def draft_fallback(brief: ComponentBrief) -> InterfaceDraft:
    """The interface the architecture already names, when the model cannot write one."""
    lines = []
    for item in brief.component.interfaces:
        text = item.signature or item.name
        if item.description:
            text += f"  -- {item.description}"
        lines.append(text)
    body = "\n".join(lines) or f"{brief.name}: {brief.component.responsibility}"
    return InterfaceDraft(interface=body, summary=brief.component.responsibility or brief.name)


async def draft_interface(
    backend: Backend,
    context: ContextManager,
    brief: ComponentBrief,
    *,
    max_tokens: int,
    retries: int,
    dependencies: list[ContextItem] | None = None,
) -> StructuredResult[InterfaceDraft]:
    """Ask for the component's public interface and a summary for its dependants.

    ``dependencies`` are the interfaces of the components it uses (their tasks ran first),
    so the contract is written against what they really offer. A tiny model is not asked:
    its contract is the one the architecture names.
    """
    if tiny.is_tiny(backend, brief.language):
        return StructuredResult(draft_fallback(brief), Usage(), 0)
    instruction = render(
        "implementation_interface.j2",
        component=brief.component,
        scenarios=brief.scenarios,
        conventions=brief.conventions,
        imports=brief.imports,
    )
    built = context.build(
        system=render("implementation_system.j2", language=brief.language),
        instruction=instruction,
        architecture_summary=brief.architecture_summary,
        active=None,
        related=list(dependencies or []),
    )
    return await complete_structured(
        backend,
        built.messages,
        InterfaceDraft,
        agent=AGENT,
        max_tokens=max_tokens,
        retries=retries,
        task=brief.task("interface"),
    )


async def implement(
    backend: Backend,
    context: ContextManager,
    brief: ComponentBrief,
    draft: InterfaceDraft,
    dependencies: list[ContextItem],
    *,
    max_tokens: int,
    retries: int,
    previous: ComponentCode | None = None,
    feedback: str = "",
    tests: TestSuite | None = None,
) -> StructuredResult[ComponentCode]:
    """Write the component's files; with ``feedback`` this is a repair of ``previous``.

    A repair also sees the failing tests, so it fixes the code against what they check.
    """
    if tiny.is_tiny(backend, brief.language):
        return await tiny.implement_module(
            backend,
            brief,
            draft,
            max_tokens=max_tokens,
            retries=retries,
            previous=previous,
            feedback=feedback,
        )
    instruction = render(
        "implementation_code.j2",
        component=brief.component,
        scenarios=brief.scenarios,
        tooling=tooling(brief.language),
        feedback=feedback,
        contracts=brief.contracts,
        imports=brief.imports,
        test_files=list(tests.files) if tests is not None and feedback else [],
    )
    interface = previous.interface if previous is not None and previous.interface else ""
    full = f"Interface:\n{interface or draft.interface}"
    if previous is not None:
        code = "\n\n".join(f"--- {item.path}\n{item.content}" for item in previous.files)
        full += f"\n\nCurrent code:\n{code}"
    active = ContextItem(
        name=brief.name, full=full, summary=draft.summary, interface=draft.interface
    )
    built = context.build(
        system=render("implementation_system.j2", language=brief.language),
        instruction=instruction,
        architecture_summary=brief.architecture_summary,
        active=active,
        related=dependencies,
    )
    return await complete_code(
        backend,
        built.messages,
        ComponentCode,
        agent=AGENT,
        max_tokens=max_tokens,
        retries=retries,
        check=lambda code: code_problems(
            code.files, brief.language, tests=False, require=brief.require
        ),
        task=brief.task("repair-implement" if feedback else "implement"),
    )


def dependency_item(name: str, summary: str, interface: str) -> ContextItem:
    """How a dependency appears in a dependant's prompt: summary and interface, never its code."""
    return ContextItem(name=name, full=interface, summary=summary, interface=interface)
