"""The tiny-model path: what the embedded 270M model is asked for and what is accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protosmith.agents import architecture, implementation, testing
from protosmith.agents.brief import ComponentBrief, ScenarioView
from protosmith.agents.cases import case_problems, parse_criterion, render_pytest
from protosmith.agents.models import CallCase, CallCases, ComponentSpec, InterfaceSpec
from protosmith.context.manager import ContextManager
from protosmith.llm.base import CompletionRequest
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.scripted import ApproxCounter, ScriptedBackend
from protosmith.settings import resolve_settings
from protosmith.spec.model import Spec

CRITERIA = ["greet('Ada') returns 'Hello, Ada!'", "an empty name is rejected with ValueError"]


def _brief() -> ComponentBrief:
    component = ComponentSpec(
        name="hello",
        language="python",
        responsibility="Greets people.",
        interfaces=[InterfaceSpec(name="greet", description="greets a name")],
        covers_scenarios=["greet"],
    )
    brief = ComponentBrief(
        component, "Components:\n- hello", [ScenarioView("greet", "", CRITERIA, [])]
    )
    brief.require = ("__init__.py",)
    brief.facts = {"module": "hello.hello"}
    return brief


def _context() -> ContextManager:
    return ContextManager(ApproxCounter(), 6000)


def test_criteria_written_as_calls_are_cases_as_they_stand() -> None:
    case = parse_criterion(CRITERIA[0])
    assert case is not None
    assert (case.call, case.expected, case.raises) == ("greet('Ada')", "'Hello, Ada!'", "")
    raised = parse_criterion("greet('') raises ValueError")
    assert raised is not None and raised.raises == "ValueError"
    assert parse_criterion(CRITERIA[1]) is None


def test_cases_render_into_a_pytest_module_that_compiles() -> None:
    cases = CallCases(
        cases=[
            CallCase(criterion=CRITERIA[0], call="greet('Ada')", expected="Hello, Ada!", raises=""),
            CallCase(criterion=CRITERIA[1], call="greet('')", expected="", raises="ValueError"),
        ],
        untested=["greets twice"],
    )
    file = render_pytest(cases, "hello.hello", "test_hello.py")
    compile(file.content, file.path, "exec")
    assert "from hello.hello import greet" in file.content
    assert "assert greet('Ada') == 'Hello, Ada!'" in file.content  # unquoted text is a string
    assert "with pytest.raises(ValueError):" in file.content
    assert "# not tested (no valid case): greets twice" in file.content


def test_a_case_that_is_no_call_is_rejected() -> None:
    bad = CallCases(cases=[CallCase(call="greet", expected="", raises="")])
    problems = case_problems(bad)
    assert any("must start with the name it calls" in p for p in problems)
    assert any("expected value or the exception" in p for p in problems)


async def test_tiny_tests_ask_only_for_criteria_that_are_not_calls() -> None:
    no_error = json.dumps({"call": "label('')", "expected": "'Item: .'", "raises": ""})
    copied = json.dumps({"call": "label('')", "expected": "", "raises": "ValueError"})
    backend = ScriptedBackend([no_error, copied], tiny=True)
    result = await testing.write_tests(
        backend, _context(), _brief(), implementation.draft_fallback(_brief()),
        max_tokens=256, retries=0,
    )  # fmt: skip
    assert len(backend.requests) == 2  # one criterion asked, sent back once: no ValueError
    assert "raises ValueError" in backend.requests[1].messages[-1].content
    (file,) = result.value.files
    assert file.path == "test_hello.py"
    compile(file.content, file.path, "exec")
    assert file.content.count("def test_") == 2
    assert "        greet('')" in file.content  # the example's name, renamed to the interface's
    assert set(result.value.traces.values()) == {"greet"}


async def test_tiny_code_goes_to_the_package_module_and_must_define_the_interface() -> None:
    nothing = json.dumps({"code": "hello.hello"})
    broken = json.dumps({"code": "def greet(name):\n    return (\n"})
    backend = ScriptedBackend([nothing, broken], tiny=True)
    draft = implementation.draft_fallback(_brief())
    with pytest.raises(StructuredOutputError, match="does not parse"):
        await implementation.implement(
            backend, _context(), _brief(), draft, [], max_tokens=256, retries=0
        )
    assert "does not define `greet`" in backend.requests[1].messages[-1].content
    good = json.dumps({"code": "def greet(name):\n    return f'Hello, {name}!'\n"})
    backend = ScriptedBackend([good], tiny=True)
    result = await implementation.implement(
        backend, _context(), _brief(), draft, [], max_tokens=256, retries=0
    )
    assert [f.path for f in result.value.files] == ["__init__.py"]


async def test_a_tiny_model_is_not_asked_for_a_design_or_an_interface() -> None:
    backend = ScriptedBackend([], tiny=True)
    spec = Spec.model_validate(
        {"project": {"name": "hello"}, "scenarios": [{"name": "greet", "acceptance": CRITERIA}]}
    )
    with pytest.raises(StructuredOutputError, match="too small"):
        await architecture.design(backend, spec, max_tokens=256, retries=0)
    draft = await implementation.draft_interface(
        backend, _context(), _brief(), max_tokens=256, retries=0
    )
    assert draft.value.interface.startswith("greet")
    assert backend.requests == []


def test_seed_setting_from_the_environment() -> None:
    settings, problems = resolve_settings(env={"PROTOSMITH_SEED": "3"}, config_file=None)
    assert settings.seed == 3 and not problems


async def test_a_tiny_run_whose_tests_pass_names_no_failed_step(tmp_path: Path) -> None:
    """The fallback design is chosen for a tiny model, not left by a failure: a run whose tests
    pass does not report "first failed step: architecture"."""
    from protosmith.agents.models import CaseReply, ModuleCode
    from protosmith.pipeline.api import GenerateOptions
    from protosmith.pipeline.service import generate

    spec_path = tmp_path / "protosmith.toml"
    spec_path.write_text(
        (Path(__file__).parent.parent / "examples" / "hello" / "protosmith.toml").read_text(),
        encoding="utf-8",
    )
    code = (
        "def greet(name):\n"
        "    if not name:\n"
        "        raise ValueError('a name is needed')\n"
        "    return f'Hello, {name}!'\n"
    )

    def reply(request: CompletionRequest) -> str:
        schema = str((request.json_schema or {}).get("title", ""))
        if schema == "ModuleCode":
            return ModuleCode(code=code).model_dump_json()
        if schema == "CaseReply":
            return CaseReply(call="greet('')", expected="", raises="ValueError").model_dump_json()
        raise AssertionError(f"a tiny run asked for {schema!r}")

    backend = ScriptedBackend(function=reply, tiny=True)
    summary = await generate(
        GenerateOptions(spec_path=spec_path, workspace=tmp_path), backend=backend, review=False
    )
    assert summary.tests.passed >= 1 and summary.tests.failed == 0, summary
    assert summary.design == "fallback"
    assert summary.failed_step == ""
