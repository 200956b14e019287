"""What a tiny model (the embedded 270M) is asked for: one module's code, tests as cases.

Measured on ``examples/hello``: asked what a capable model is asked, the embedded model
designs components called "source" and "target", names files ``test_*.py`` and ``source/target``,
and writes Python that does not parse, so no run got as far as a test. Asked only for the
content of one module whose path protosmith chooses, and for tests as (call, expected result
or exception) cases that protosmith renders, it has a chance. Capable models never take this
path: their prompts are unchanged.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from pydantic import BaseModel

from protosmith.agents.brief import ComponentBrief
from protosmith.agents.cases import case_problems, case_test_names, parse_criterion, render_pytest
from protosmith.agents.models import (
    CallCase,
    CallCases,
    CaseReply,
    ComponentCode,
    GeneratedFile,
    InterfaceDraft,
    ModuleCode,
    TestSuite,
)
from protosmith.agents.validation import code_problems, complete_code
from protosmith.llm.base import Backend, Message, Usage
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.structured import StructuredResult
from protosmith.prompts import render

log = logging.getLogger(__name__)

CODE_RETRIES = 1
"""A reply that does not parse goes back once with the error: the tiny prompts are short, so a
retry costs seconds, and the in-process default of no retries would waste the whole task."""
TEMPERATURE = 0.8
"""Sampling temperature of the tiny model's code and case requests. At the default 0.2 the
seeds hardly matter: on examples/hello seeds 1, 2 and 4 gave the same wrong module; at 0.8 the
modules differ from seed to seed, and seed 4's returns 'Hello, Ada!' (its test passes)."""
FEEDBACK_LIMIT = 2000
"""Characters of test output a repair prompt carries (a tiny model loses a long prompt)."""


def is_tiny(backend: Backend, language: str) -> bool:
    """True when this component's requests take the tiny path (Python components only)."""
    return backend.capabilities.tiny and (language or "python").lower() == "python"


def failure_lines(feedback: str) -> str:
    """The assertion and error lines of a test output (pytest's ``E`` lines): the whole output
    of a failed run is more than a tiny model can take in."""
    lines = [line.strip() for line in feedback.splitlines() if line.lstrip().startswith("E ")]
    if not lines:
        return feedback[:FEEDBACK_LIMIT]
    return "\n".join(dict.fromkeys(lines[:12]))


def _module_path(brief: ComponentBrief) -> str:
    """The one file the tiny model's code goes to: the package's ``__init__.py``."""
    return brief.require[0] if brief.require else "__init__.py"


_ERROR_CASE = (
    "tiny_case.j2",
    {"names": "label", "criterion": "an empty item is rejected with ValueError"},
    CaseReply(call="label('')", expected="", raises="ValueError"),
)
_VALUE_CASE = (
    "tiny_case.j2",
    {"names": "label", "criterion": "label('pen') returns 'Item: pen.'"},
    CaseReply(call="label('pen')", expected="'Item: pen.'", raises=""),
)
_EXAMPLES: dict[str, list[tuple[str, dict[str, str], BaseModel]]] = {
    "implementation": [
        (
            "tiny_implementation.j2",
            {
                "module": "labels",
                "responsibility": "labels items.",
                "interface": "label  -- A caller asks for the label of an item.",
                "criteria": "- label('pen') returns 'Item: pen.'\n"
                "- an empty item is rejected with ValueError",
            },
            ModuleCode(
                code="def label(item):\n"
                "    if not item:\n        raise ValueError('item must not be empty')\n"
                "    return f'Item: {item}.'\n"
            ),
        )
    ],
    "case-error": [_VALUE_CASE, _ERROR_CASE],
    "case-value": [_ERROR_CASE, _VALUE_CASE],
}
"""One worked exchange per request, as an earlier chat turn: inside the request itself the tiny
model copied the example's code verbatim; as a previous turn it follows its form. It copies the
last example it saw, so a case request ends with the example of its kind (error or value)."""


def _messages(
    brief: ComponentBrief, template: str, examples: str, **variables: object
) -> list[Message]:
    messages = [Message(role="system", content=render("tiny_system.j2", language=brief.language))]
    # A repair shows the model its own code: with the example too, it answered with the example.
    for example, facts, answer in [] if variables.get("feedback") else _EXAMPLES[examples]:
        shown = {"feedback": "", "previous": "", **facts}
        messages.append(Message(role="user", content=render(example, **shown)))
        messages.append(Message(role="assistant", content=answer.model_dump_json()))
    messages.append(Message(role="user", content=render(template, **variables)))
    return messages


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
        "implementation",
        module=brief.facts.get("module", brief.name),
        responsibility=brief.component.responsibility,
        interface=draft.interface,
        criteria="\n".join(f"- {item}" for view in brief.scenarios for item in view.acceptance),
        feedback=failure_lines(feedback),
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
        temperature=TEMPERATURE,
    )
    code = ComponentCode(
        files=[GeneratedFile(path=path, content=result.value.code)],
        summary=draft.summary,
        interface=draft.interface,
    )
    return StructuredResult(code, result.usage, result.attempts, result.completions)


def _interface_names(brief: ComponentBrief) -> list[str]:
    return [item.name for item in brief.component.interfaces if item.name.isidentifier()]


def renamed(reply: CaseReply, brief: ComponentBrief) -> CaseReply:
    """With one function in the interface, a call of another name is a call of that one: the
    tiny model copies the worked example's function name (``label('')`` for ``greet('')``)."""
    names = _interface_names(brief)
    callee = reply.call.strip().split("(", 1)[0].strip()
    if len(names) != 1 or callee in names or not callee.isidentifier():
        return reply
    call = names[0] + reply.call.strip()[len(callee) :]
    return reply.model_copy(update={"call": call})


def _callee_problems(reply: CaseReply, brief: ComponentBrief) -> list[str]:
    """A case that does not call this module's interface."""
    names = _interface_names(brief)
    callee = reply.call.strip().split("(", 1)[0].strip()
    if names and callee not in names:
        return [f"the call must be one of {', '.join(names)}, not `{callee}`"]
    return []


_ERROR_NAME = re.compile(r"\b([A-Z]\w*(?:Error|Exception))\b")


def _case_check(reply: CaseReply, *, criterion: str, brief: ComponentBrief) -> list[str]:
    reply = renamed(reply, brief)
    case = CallCase(criterion=criterion, **reply.model_dump())
    problems = case_problems(CallCases(cases=[case])) or _callee_problems(reply, brief)
    error = _ERROR_NAME.search(criterion)
    if not problems and error and reply.raises.strip() != error.group(1):
        problems.append(f'the criterion says the call raises {error.group(1)}: "raises" is it')
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
    """One case per acceptance criterion, rendered by protosmith into one pytest module.

    A criterion written as ``CALL returns VALUE`` is a case as it stands; for each other one the
    tiny model answers with the call and its result. A criterion no valid case came back for is
    named in the test file as untested; no case at all is a failed task.
    """
    module = brief.facts.get("module", brief.name)
    path = f"test_{module.rsplit('.', 1)[-1]}.py"
    names = ", ".join(item.name for item in brief.component.interfaces) or brief.name
    cases: list[CallCase] = []
    untested: list[str] = []
    usage, attempts, completions = Usage(), 0, []
    for criterion in [item for view in brief.scenarios for item in view.acceptance]:
        parsed = parse_criterion(criterion)
        if parsed is not None:
            cases.append(parsed)
            continue
        kind = "case-error" if _ERROR_NAME.search(criterion) else "case-value"
        messages = _messages(
            brief,
            "tiny_case.j2",
            kind,
            criterion=criterion,
            names=names,
            feedback=failure_lines(feedback),
        )

        try:
            result = await complete_code(
                backend,
                messages,
                CaseReply,
                agent="testing",
                max_tokens=max_tokens,
                retries=retries,
                check=partial(_case_check, criterion=criterion, brief=brief),
                task=brief.task("repair-tests" if feedback else "tests"),
                check_retries=max(retries, CODE_RETRIES),
                temperature=TEMPERATURE,
            )
        except StructuredOutputError as error:
            log.info("no test case for %r: %s", criterion, error)
            untested.append(criterion)
            continue
        usage, attempts = usage + result.usage, attempts + result.attempts
        completions += result.completions
        answer = renamed(result.value, brief)
        cases.append(CallCase(criterion=criterion, **answer.model_dump()))
    if not cases:
        raise StructuredOutputError(
            f"testing: no valid test case for any acceptance criterion of {brief.name}",
            hint="use a more capable model",
        )
    value = CallCases(cases=cases, untested=untested)
    rendered = render_pytest(value, module, path)
    traced = [view.name for view in brief.scenarios]
    traces = dict.fromkeys(case_test_names(value), traced[0]) if len(traced) == 1 else {}
    suite = TestSuite(files=[rendered], framework="pytest", traces=traces)
    return StructuredResult(suite, usage, attempts, completions)
