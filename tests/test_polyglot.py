"""Polyglot prototypes: language choice, OpenAPI contracts, deployment files and the smoke test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hardening_support import run_generate
from protosmith.agents.models import ArchitectureRecord, ComponentSpec, InterfaceSpec
from protosmith.agents.polyglot import assign_languages
from protosmith.llm.scripted import ScriptedBackend
from protosmith.pipeline.journal import Journal
from protosmith.pipeline.stages.integration import contract_for
from protosmith.spec.model import Spec
from scripted_team import Team

SPEC = """
goals = ["Sell what is in stock"]

[project]
name = "shop"
description = "An inventory service and a storefront that uses it."
languages = ["python", "javascript"]
output = "prototype"

[architecture]
polyglot = true

[[scenarios]]
name = "stock"
description = "The storefront shows stock levels."
acceptance = ["stock is a number"]
"""


def _spec(conventions: dict[str, object] | None = None) -> Spec:
    return Spec.model_validate(
        {
            "project": {"name": "shop", "languages": ["python", "javascript", "go"]},
            "architecture": {"polyglot": True},
            "conventions": conventions or {},
            "goals": ["g"],
            "scenarios": [{"name": "s", "description": "d", "acceptance": ["a"]}],
        }
    )


def _record(*components: ComponentSpec) -> ArchitectureRecord:
    return ArchitectureRecord(components=list(components))


def test_languages_keep_allowed_choices_follow_conventions_and_traits() -> None:
    record = _record(
        ComponentSpec(name="analytics", language="python", responsibility="ML predictions"),
        ComponentSpec(name="web", language="cobol", responsibility="Web storefront UI"),
        ComponentSpec(name="relay", language="python", responsibility="network proxy"),
        ComponentSpec(name="misc", language="", responsibility="nothing special"),
    )
    choices = assign_languages(record, _spec({"languages": {"relay": "go"}}))
    assert choices["analytics"][0] == "python" and "architect" in choices["analytics"][1]
    assert choices["web"][0] == "javascript" and "not allowed" in choices["web"][1]
    assert choices["relay"] == ("go", "conventions ask for go")
    assert choices["misc"][0] == "python"
    single = _spec().model_copy(
        update={"architecture": _spec().architecture.model_copy(update={"polyglot": False})}
    )
    assert {lang for lang, _ in assign_languages(record, single).values()} == {"python"}


def test_contract_is_derived_from_the_interface() -> None:
    component = ComponentSpec(
        name="orders",
        language="python",
        interfaces=[
            InterfaceSpec(
                name="place_order",
                signature="def place_order(item: str, qty: int) -> Order",
                data_types=["Order{id: str, total: float}"],
            )
        ],
    )
    document = contract_for(_record(component), component)
    post = document["paths"]["/place_order"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"] == {"item": {"type": "string"}, "qty": {"type": "integer"}}
    assert body["example"] == {"item": "example", "qty": 1}
    result = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert result["properties"]["result"]["properties"]["total"] == {"type": "number"}
    assert "/health" in document["paths"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_python_and_javascript_services_share_a_contract(tmp_path: Path) -> None:
    spec = tmp_path / "protosmith.toml"
    spec.write_text(SPEC, encoding="utf-8")
    team = Team(layout="inventory:python; storefront:javascript>inventory")
    summary = await run_generate(
        spec, ScriptedBackend(function=team.reply), run_tests=True, review=False
    )
    assert summary.status == "succeeded", summary.message
    out = tmp_path / "prototype"
    contract = json.loads((out / "contracts/inventory.openapi.json").read_text())
    assert "/inventory_value" in contract["paths"]
    assert (out / "contracts/storefront.openapi.json").is_file()
    assert "INVENTORY_URL" in (out / "storefront/service.js").read_text()
    assert "ThreadingHTTPServer" in (out / "shop/inventory/service.py").read_text()
    assert "FROM python:3.11-slim" in (out / "shop/inventory/Dockerfile").read_text()
    assert "FROM node:20-slim" in (out / "storefront/Dockerfile").read_text()
    compose = (out / "docker-compose.yml").read_text()
    assert "INVENTORY_URL" in compose and "storefront:" in compose
    assert "docker-compose.yml" in (out / "DEPLOYMENT.md").read_text()
    assert "integration smoke test passed" in summary.message
    events = Journal.open(tmp_path, summary.run_id).events()
    smoke = [e for e in events if e["kind"] == "integration_smoke"]
    assert smoke and smoke[-1]["status"] == "passed"
    services = smoke[-1]["services"]
    assert {s["status"] for s in services.values()} == {"passed"}
    # The storefront ran beside the inventory it calls, and its operation needs that call.
    assert services["storefront"]["with"] == ["inventory"]
    assert services["storefront"]["checks"] == 3
    assert any(e["kind"] == "language_choice" for e in events)


async def test_without_test_execution_the_smoke_test_is_not_run(tmp_path: Path) -> None:
    spec = tmp_path / "protosmith.toml"
    spec.write_text(SPEC, encoding="utf-8")
    team = Team(layout="inventory:python; storefront:javascript>inventory")
    summary = await run_generate(spec, ScriptedBackend(function=team.reply), review=False)
    assert "integration smoke test not_run" in summary.message
    assert "test execution disabled" in summary.message
    assert (tmp_path / "prototype/contracts/inventory.openapi.json").is_file()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_a_service_off_its_contract_fails_with_ps505(tmp_path: Path) -> None:
    spec = tmp_path / "protosmith.toml"
    spec.write_text(SPEC, encoding="utf-8")
    team = Team(
        layout="inventory:python; storefront:javascript>inventory", off_contract={"inventory"}
    )
    summary = await run_generate(
        spec, ScriptedBackend(function=team.reply), run_tests=True, review=False
    )
    assert summary.status == "partial"
    assert "integration smoke test failed" in summary.message
    events = Journal.open(tmp_path, summary.run_id).events()
    findings = [e for e in events if e["kind"] == "finding"]
    assert findings and {e["rule"] for e in findings} == {"PS505"}
    assert findings[0]["path"] == "contracts/inventory.openapi.json"
    assert "result" in findings[0]["message"]
