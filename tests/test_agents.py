"""The agents on their own: architecture normalisation and repair, placeholder rejection,
context discipline, test traces and the documentation fallback."""

from __future__ import annotations

import json

import pytest

from protosmith.agents import architecture, documentation, implementation, testing
from protosmith.agents.brief import ComponentBrief, ScenarioView
from protosmith.agents.common import find_placeholders, slug
from protosmith.agents.documentation import ComponentDoc
from protosmith.agents.models import ArchitectureRecord, ComponentSpec, InterfaceDraft
from protosmith.context.manager import ContextManager
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.scripted import ApproxCounter, ScriptedBackend
from protosmith.spec.model import Spec
from scripted_team import Team


def _spec(**overrides: object) -> Spec:
    data: dict[str, object] = {
        "project": {"name": "Shop Front", "languages": ["python", "javascript"]},
        "scenarios": [
            {"name": "browse", "acceptance": ["lists products"]},
            {"name": "order", "acceptance": ["an order gets an id"], "steps": ["pick", "pay"]},
        ],
        "architecture": {"style": "microservices", "patterns": ["CQRS"]},
    }
    data.update(overrides)
    return Spec.model_validate(data)


def _context() -> ContextManager:
    return ContextManager(ApproxCounter(), 6000)


@pytest.mark.parametrize(
    "text",
    [
        "def f():\n    # TODO: later\n    return 1\n",
        "def f():\n    pass  # implement\n",
        "def f():\n    raise NotImplementedError\n",
        "def f() -> int: ...\n",
        "def f():\n    ...\n",
        "function f() { ... }\n",
        "// FIXME broken\n",
        "fn f() { unimplemented!() }\n",
    ],
)
def test_placeholders_are_found(text: str) -> None:
    assert find_placeholders(text)


@pytest.mark.parametrize(
    "text",
    [
        "def f(*args: int) -> tuple[int, ...]:\n    return args\n",
        "const merged = {...a, ...b};\n",
        "def f():\n    pass\n",
    ],
)
def test_complete_code_is_not_flagged(text: str) -> None:
    assert find_placeholders(text) == []


def test_slug_makes_folder_names() -> None:
    assert slug("Order Service") == "order_service"
    assert slug("3d-viewer") == "c_3d_viewer"
    assert slug("!!!") == "component"


async def test_architecture_cycle_goes_back_to_the_model() -> None:
    backend = ScriptedBackend(function=Team(layout="a; b>a", cycle=True).reply)
    outcome = await architecture.design(backend, _spec(), max_tokens=1024, retries=1)
    assert any("cycle" in problem for problem in outcome.repairs)
    assert "cannot be built" in backend.requests[-1].messages[-1].content
    assert architecture.dependency_cycle(outcome.record) is None


async def test_persistent_cycle_raises_with_the_cycle_named() -> None:
    backend = ScriptedBackend(function=Team(layout="a>b; b>a").reply)
    with pytest.raises(architecture.ArchitectureError, match="a -> b"):
        await architecture.design(backend, _spec(), max_tokens=1024, retries=1, repair_rounds=1)
    assert len(backend.requests) == 2


async def test_unknown_dependencies_and_duplicates_are_repaired() -> None:
    backend = ScriptedBackend(function=Team(layout="web>db,core; core; Core").reply)
    outcome = await architecture.design(
        backend, _spec(), max_tokens=1024, retries=1, repair_rounds=1
    )
    names = [c.name for c in outcome.record.components]
    assert names == ["web", "core", "core_2"]
    assert outcome.record.component("web").depends_on == ["core"]
    assert any("unknown" in note for note in outcome.repairs)
    assert any("used twice" in note for note in outcome.repairs)


async def test_invalid_json_is_retried() -> None:
    backend = ScriptedBackend(function=Team(layout="a", invalid_json=True).reply)
    outcome = await architecture.design(backend, _spec(), max_tokens=1024, retries=1)
    assert [c.name for c in outcome.record.components] == ["a"]
    assert len(backend.requests) == 2


async def test_no_valid_architecture_raises_structured_error() -> None:
    backend = ScriptedBackend(["not json", "still not json"])
    with pytest.raises(StructuredOutputError):
        await architecture.design(backend, _spec(), max_tokens=1024, retries=1)


def _record(*components: dict[str, object], mermaid: str = "") -> ArchitectureRecord:
    return ArchitectureRecord.model_validate({"components": list(components), "mermaid": mermaid})


def test_languages_follow_project_languages_and_polyglot() -> None:
    record = _record({"name": "api", "language": "javascript"}, {"name": "db", "language": "cobol"})
    notes = architecture.normalise(record, _spec())
    # project.languages are allowed per component: the architect's javascript is kept, a
    # language outside the list becomes the first one, and the journal says so.
    assert [c.language for c in record.components] == ["javascript", "python"]
    assert "db: language 'cobol' replaced by python" in notes
    polyglot = _spec(architecture={"polyglot": True})
    record = _record({"name": "api", "language": "JavaScript"}, {"name": "db", "language": "cobol"})
    architecture.normalise(record, polyglot)
    assert [c.language for c in record.components] == ["javascript", "python"]


def test_steps_are_derived_and_scenarios_covered() -> None:
    record = _record({"name": "api", "covers_scenarios": ["order", "ghost"]})
    architecture.normalise(record, _spec())
    steps = {s.name: s for s in record.analysis.scenarios}
    assert steps["order"].steps == ["pick", "pay"] and not steps["order"].derived
    assert steps["browse"].derived and steps["browse"].steps == ["Then lists products"]
    assert record.components[0].covers_scenarios == ["order", "browse"]
    assert "CQRS" in record.patterns and record.style == "microservices"


def test_mermaid_is_regenerated_when_invalid() -> None:
    record = _record({"name": "api", "depends_on": ["db"]}, {"name": "db"}, mermaid="not a diagram")
    architecture.normalise(record, _spec())
    assert record.mermaid.startswith("graph TD")
    assert "api --> db" in record.mermaid
    good = "graph LR\n  api --> db\n"
    record = _record({"name": "api", "depends_on": ["db"]}, {"name": "db"}, mermaid=good)
    architecture.normalise(record, _spec())
    assert record.mermaid == good


def test_fallback_record_covers_every_scenario() -> None:
    record = architecture.fallback_record(_spec())
    assert [c.name for c in record.components] == ["shop_front"]
    assert record.components[0].covers_scenarios == ["browse", "order"]
    assert record.mermaid.startswith("graph TD")


def _brief(name: str = "orders", depends_on: list[str] | None = None) -> ComponentBrief:
    component = ComponentSpec(
        name=name, language="python", responsibility="Takes orders.", depends_on=depends_on or []
    )
    scenario = ScenarioView("order", "A shopper orders.", ["an order gets an id"], ["pick", "pay"])
    return ComponentBrief(component, "Components:\n- orders", [scenario])


async def test_implementation_rejects_placeholders_then_fails_bounded() -> None:
    todo = json.dumps({"files": [{"path": "orders.py", "content": "# TODO\n"}], "summary": "s"})
    backend = ScriptedBackend([todo, todo])
    draft = InterfaceDraft(interface="def place() -> str", summary="places orders")
    with pytest.raises(StructuredOutputError, match="TODO"):
        await implementation.implement(
            backend, _context(), _brief(), draft, [], max_tokens=512, retries=1
        )
    assert len(backend.requests) == 2
    assert "could not be used" in backend.requests[1].messages[-1].content


async def test_implementation_sees_dependency_interfaces_not_code() -> None:
    backend = ScriptedBackend(function=Team().reply)
    draft = InterfaceDraft(interface="def orders_value(x: int) -> int", summary="adds one")
    dependency = implementation.dependency_item(
        "catalog", "Lists products.", "def catalog_value(x) -> int"
    )
    result = await implementation.implement(
        backend,
        _context(),
        _brief(depends_on=["catalog"]),
        draft,
        [dependency],
        max_tokens=512,
        retries=1,
    )
    assert [f.path for f in result.value.files] == ["__init__.py", "orders.py"]
    prompt = backend.requests[0].messages[-1].content
    assert "def catalog_value(x) -> int" in prompt and "Lists products." in prompt
    assert "an order gets an id" in prompt


async def test_tests_trace_only_real_scenarios() -> None:
    reply = json.dumps(
        {
            "files": [{"path": "test_orders.py", "content": "def test_a():\n    assert True\n"}],
            "traces": {"test_a": "order", "test_b": "imaginary"},
        }
    )
    backend = ScriptedBackend([reply])
    draft = InterfaceDraft(interface="def place() -> str", summary="s")
    result = await testing.write_tests(
        backend, _context(), _brief(), draft, max_tokens=512, retries=0
    )
    assert result.value.traces == {"test_a": "order"}
    assert result.value.framework == "pytest"
    assert testing.framework_for("java") == "junit5" and testing.framework_for("go") == "go test"


async def test_docs_fall_back_to_rendered_prose() -> None:
    record = architecture.fallback_record(_spec())
    docs_in = [
        ComponentDoc(
            name="shop_front",
            language="python",
            summary="Shop.",
            interface="def browse() -> list[str]",
            entry="shop",
        )
    ]
    backend = ScriptedBackend(["{}", "{}"])
    outcome = await documentation.write_docs(
        backend, _spec(), record, docs_in, context=_context(), max_tokens=512, retries=1
    )
    assert not outcome.model_written and outcome.problem
    assert "def browse() -> list[str]" in outcome.docs.api
    assert "```mermaid" in outcome.docs.architecture
    assert "python -m shop" in outcome.docs.readme
    assert outcome.docs.deployment.startswith("# Deploying Shop Front")
