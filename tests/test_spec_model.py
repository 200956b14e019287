"""The spec model, its generated JSON Schema, and writing a spec back to TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from protosmith.spec.model import DuplicateScenarioError, Priority, Spec, json_schema
from protosmith.spec.toml_writer import dumps, quote

FULL = Path(__file__).parent / "workspaces" / "spec" / "full" / "protosmith.toml"


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "project": {"name": "demo"},
        "scenarios": [{"name": "a", "acceptance": ["works"]}],
    }
    data.update(overrides)
    return data


def test_defaults() -> None:
    spec = Spec.model_validate(minimal())
    assert spec.project.languages == ["python"]
    assert spec.project.output == "prototype"
    assert spec.scenarios[0].priority is Priority.MEDIUM
    assert spec.scenarios[0].steps is None
    assert spec.budget.max_repair_rounds == 2
    assert spec.goals == [] and spec.context == {} and spec.llm.backend is None


def test_languages_are_normalized() -> None:
    spec = Spec.model_validate(minimal(project={"name": "d", "languages": [" Python", "GO"]}))
    assert spec.project.languages == ["python", "go"]


@pytest.mark.parametrize(
    "output",
    ["/abs", "../up", "a/../../up", "C:\\x", "C:x", "\\\\server\\share", ".", "", "a\x00b"],
)
def test_output_must_stay_inside(output: str) -> None:
    with pytest.raises(ValidationError):
        Spec.model_validate(minimal(project={"name": "d", "output": output}))


@pytest.mark.parametrize("output", ["out", "gen/prototype", "a/./b", "..hidden"])
def test_output_inside_is_accepted(output: str) -> None:
    assert Spec.model_validate(minimal(project={"name": "d", "output": output})).project.output


def test_duplicate_scenarios_carry_the_index() -> None:
    scenarios = [{"name": n, "acceptance": ["x"]} for n in ("a", "b", "a")]
    with pytest.raises(ValidationError) as caught:
        Spec.model_validate(minimal(scenarios=scenarios))
    cause = caught.value.errors()[0]["ctx"]["error"]
    assert isinstance(cause, DuplicateScenarioError) and cause.index == 2


def test_extra_keys_are_forbidden_everywhere() -> None:
    for data in (
        minimal(extra=1),
        minimal(project={"name": "d", "extra": 1}),
        minimal(scenarios=[{"name": "a", "acceptance": ["x"], "extra": 1}]),
        minimal(budget={"extra": 1}),
    ):
        with pytest.raises(ValidationError, match="extra"):
            Spec.model_validate(data)


def test_schema_is_valid_and_matches_the_model() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = tomllib.loads(FULL.read_text())
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors(minimal(colour=1)))
    assert list(validator.iter_errors({"project": {"name": "d"}}))
    assert schema["properties"]["project"]["description"]
    for field in ("name", "languages", "output"):
        assert schema["$defs"]["Project"]["properties"][field]["description"]


def test_writer_round_trips_the_full_fixture() -> None:
    spec = Spec.model_validate(tomllib.loads(FULL.read_text()))
    text = dumps(spec)
    assert Spec.model_validate(tomllib.loads(text)) == spec
    assert text.index("goals") < text.index("[project]")


def test_writer_keeps_minimal_specs_short() -> None:
    text = dumps(Spec.model_validate(minimal()))
    assert "[budget]" not in text and "[llm]" not in text and "[architecture]" not in text


@pytest.mark.parametrize(
    "text", ["", 'a "quote"', "back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "ünï 😀", "'''"]
)
def test_quote_is_valid_toml(text: str) -> None:
    assert tomllib.loads(f"k = {quote(text)}")["k"] == text


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_free = st.recursive(
    st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=_text.filter(lambda s: s.strip()),
    goals=st.lists(_text, max_size=3),
    context=st.dictionaries(_text, _free, max_size=3),
    criteria=st.lists(_text.filter(lambda s: s.strip()), min_size=1, max_size=3),
)
def test_writer_round_trips_any_text(
    name: str, goals: list[str], context: dict[str, Any], criteria: list[str]
) -> None:
    spec = Spec.model_validate(
        {
            "goals": goals,
            "project": {"name": name[:200]},
            "context": context,
            "scenarios": [{"name": name, "acceptance": criteria, "steps": goals}],
        }
    )
    assert Spec.model_validate(tomllib.loads(dumps(spec))) == spec
