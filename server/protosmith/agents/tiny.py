"""What a tiny model (the embedded 270M) is asked for: one module's code, tests as cases.

Measured on ``examples/hello``: asked what a capable model is asked, the embedded model
designs components called "source" and "target", names files ``test_*.py`` and ``source/target``,
and writes Python that does not parse, so no run got as far as a test. Asked only for the
content of one module whose path protosmith chooses, and for tests as (call, expected result
or exception) cases that protosmith renders, it has a chance. Capable models never take this
path: their prompts are unchanged.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from protosmith.agents.cases import case_problems, case_test_names, render_pytest
from protosmith.agents.models import (
    CallCase,
    CallCases,
    ComponentCode,
    GeneratedFile,
    InterfaceDraft,
    ModuleCode,
    TestSuite,
)
from protosmith.agents.validation import code_problems, complete_code
from protosmith.llm.base import Backend, Message
from protosmith.llm.structured import StructuredResult
from protosmith.prompts import render

if TYPE_CHECKING:  # implementation dispatches here, so it cannot be imported at run time
    from protosmith.agents.implementation import ComponentBrief

CODE_RETRIES = 1
"""A reply that does not parse goes back once with the error: the tiny prompts are short, so a
retry costs seconds, and the in-process default of no retries would waste the whole task."""
FEEDBACK_LIMIT = 2000
"""Characters of test output a repair prompt carries (a tiny model loses a long prompt)."""


def is_tiny(backend: Backend, language: str) -> bool:
    """True when this component's requests take the tiny path (Python components only)."""
    return backend.capabilities.tiny and (language or "python").lower() == "python"


def _module_path(brief: ComponentBrief) -> str:
    """The one file the tiny model's code goes to: the package's ``__init__.py``."""
    return brief.require[0] if brief.require else "__init__.py"


_EXAMPLES = {
    "tiny_implementation.j2": (
        "tiny_example_implementation.j2",
        ModuleCode(
            code='def shout(text):\n    """The text in capitals with an exclamation mark."""\n'
            "    if not text:\n        raise ValueError('text must not be empty')\n"
            "    return f'{text.upper()}!'\n"
        ),
    ),
    "tiny_tests.j2": (
        "tiny_example_tests.j2",
        CallCases(
            cases=[
                CallCase(
                    criterion="shout('hi') returns 'HI!'",
                    call="shout('hi')",
                    expected="'HI!'",
                    raises="",
                ),
                CallCase(
                    criterion="an empty text is rejected with ValueError",
                    call="shout('')",
                    expected="",
                    raises="ValueError",
                ),
            ]
        ),
    ),
}
"""One worked exchange per request, as earlier chat turns: inside the request itself the tiny
model copied the example's code verbatim; as a previous turn it follows its form."""


def _messages(brief: ComponentBrief, template: str, **variables: object) -> list[Message]:
    example, answer = _EXAMPLES[template]
    return [
        Message(role="system", content=render("tiny_system.j2", language=brief.language)),
        Message(role="user", content=render(example)),
        Message(role="assistant", content=answer.model_dump_json()),
        Message(role="user", content=render(template, **variables)),
    ]


def _defines(code: str, name: str) -> bool:
    pattern = rf"^(?:async\s+)?def\s+{re.escape(name)}\b|^class\s+{re.escape(name)}\b|^{re.escape(name)}\s*="
    return re.search(pattern, code, re.M) is not None


def missing_names(code: str, brief: ComponentBrief) -> list[str]:
    """Interface names the module does not define at top level (a reply ``hello.hello``
    parses as Python but defines nothing)."""
    names = [item.name for item in brief.component.interfaces if item.name.isidentifier()]
    return [
        f"the module does not define `{name}` (write `def {name}(...)`)"
        for name in names
        if not _defines(code, name)
    ]


async def implement_module(
    backend: Backend,
    brief: ComponentBrief,
    draft: InterfaceDraft,
    *,
    max_tokens: int,
    retries: int,
    previous: ComponentCode | None = None,
    feedback: str = "",
) -> StructuredResult[ComponentCode]:
    """The component as one module written by the tiny model; protosmith names the file."""
    path = _module_path(brief)
    current = "\n\n".join(item.content for item in previous.files) if previous else ""
    messages = _messages(
        brief,
        "tiny_implementation.j2",
        module=brief.facts.get("module", brief.name),
        component=brief.component,
        interface=draft.interface,
        scenarios=brief.scenarios,
        feedback=feedback[:FEEDBACK_LIMIT],
        previous=current,
    )

    def check(reply: ModuleCode) -> list[str]:
        files = [GeneratedFile(path=path, content=reply.code)]
        problems = code_problems(files, brief.language, tests=False, require=brief.require)
        return problems or missing_names(reply.code, brief)

    result = await complete_code(
        backend,
        messages,
        ModuleCode,
        agent="implementation",
        max_tokens=max_tokens,
        retries=retries,
        check=check,
        task=brief.task("repair-implement" if feedback else "implement"),
        check_retries=max(retries, CODE_RETRIES),
    )
    code = ComponentCode(
        files=[GeneratedFile(path=path, content=result.value.code)],
        summary=draft.summary,
        interface=draft.interface,
    )
    return StructuredResult(code, result.usage, result.attempts, result.completions)


def _coverage(cases: CallCases, brief: ComponentBrief) -> list[str]:
    """Cases that do not test this module: other callees, criteria it does not have."""
    criteria = [item for view in brief.scenarios for item in view.acceptance]
    names = [item.name for item in brief.component.interfaces if item.name.isidentifier()]
    problems = []
    for number, case in enumerate(cases.cases, 1):
        callee = case.call.strip().split("(", 1)[0].strip()
        if names and callee not in names:
            problems.append(f"case {number} calls `{callee}`: call one of {', '.join(names)}")
        if criteria and case.criterion.strip() not in criteria:
            problems.append(f"case {number}: criterion must be one of: " + "; ".join(criteria))
    if len(cases.cases) < len(criteria):
        problems.append(
            f"write one case per acceptance criterion ({len(criteria)} criteria, "
            f"{len(cases.cases)} cases)"
        )
    return problems


async def write_cases(
    backend: Backend,
    brief: ComponentBrief,
    draft: InterfaceDraft,
    *,
    max_tokens: int,
    retries: int,
    feedback: str = "",
) -> StructuredResult[TestSuite]:
    """Tests as cases from the tiny model, rendered by protosmith into one pytest module."""
    module = brief.facts.get("module", brief.name)
    path = f"test_{module.rsplit('.', 1)[-1]}.py"
    messages = _messages(
        brief,
        "tiny_tests.j2",
        module=module,
        interface=draft.interface,
        scenarios=brief.scenarios,
        feedback=feedback[:FEEDBACK_LIMIT],
    )
    result = await complete_code(
        backend,
        messages,
        CallCases,
        agent="testing",
        max_tokens=max_tokens,
        retries=retries,
        check=lambda cases: case_problems(cases) or _coverage(cases, brief),
        task=brief.task("repair-tests" if feedback else "tests"),
        check_retries=max(retries, CODE_RETRIES),
    )
    rendered = render_pytest(result.value, module, path)
    traced = [view.name for view in brief.scenarios]
    traces = dict.fromkeys(case_test_names(result.value), traced[0]) if len(traced) == 1 else {}
    suite = TestSuite(files=[rendered], framework="pytest", traces=traces)
    return StructuredResult(suite, result.usage, result.attempts, result.completions)
