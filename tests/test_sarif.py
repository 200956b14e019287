"""SARIF 2.1.0 output validates against the official schema and carries CWE tags and fixes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from protosmith.analysis.findings import Category, Evidence, Finding, Range, Severity
from protosmith.analysis.sarif import to_sarif
from protosmith.services.review import review

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
WORKSPACE = Path(__file__).parent / "workspaces" / "review"


def validate(log: dict) -> None:
    jsonschema.Draft7Validator(
        SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    ).validate(log)


async def test_review_sarif_is_valid_and_tagged() -> None:
    result = await review([WORKSPACE], root=WORKSPACE)
    log = to_sarif(result.findings, root_uri=WORKSPACE.resolve().as_uri())
    validate(json.loads(json.dumps(log)))
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-89" in rules["PS301"]["properties"]["tags"]
    assert rules["PS301"]["help"]["text"] and rules["PS301"]["helpUri"].endswith("#ps301")
    for result_ in run["results"]:
        assert run["tool"]["driver"]["rules"][result_["ruleIndex"]]["id"] == result_["ruleId"]
        if result_["ruleId"].startswith("PS3"):
            tags = run["tool"]["driver"]["rules"][result_["ruleIndex"]]["properties"]["tags"]
            assert any(tag.startswith("external/cwe/cwe-") for tag in tags), result_["ruleId"]
    sqli = next(r for r in run["results"] if r["ruleId"] == "PS301")
    assert sqli["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 14
    suppressed = next(r for r in run["results"] if r["ruleId"] == "PS302")
    assert suppressed["suppressions"][0]["kind"] == "inSource"
    fixed = [r for r in run["results"] if "fixes" in r]
    assert any(
        r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
        == "yaml.safe_load("
        for r in fixed
    )


def test_generic_bandit_result_gets_its_own_cwe_rule() -> None:
    finding = Finding(
        code="PS390",
        category=Category.SECURITY,
        severity=Severity.MINOR,
        message="Possible binding to all interfaces. (bandit B104)",
        path="app.py",
        range=Range.lines(3),
        evidence=Evidence(source="bandit", rule_id="B104"),
        cwe=605,
    )
    log = to_sarif([finding])
    validate(log)
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == "PS390/B104"
    assert "external/cwe/cwe-605" in rule["properties"]["tags"]
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 4 and region["endLine"] >= region["startLine"]


def test_empty_log_is_valid() -> None:
    validate(to_sarif([]))
