"""SARIF 2.1.0 output: one run, rule descriptors with help and CWE tags, results with fixes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from protosmith import __version__
from protosmith.analysis.findings import Finding, Range, Severity
from protosmith.rulebook import get
from protosmith.rules import DOCS_URL

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.INFO: "note",
}


def _region(range_: Range) -> dict[str, int]:
    region = {
        "startLine": range_.start.line + 1,
        "startColumn": range_.start.character + 1,
        "endLine": max(range_.end.line, range_.start.line) + 1,
        "endColumn": range_.end.character + 1,
    }
    if region["endLine"] == region["startLine"] and region["endColumn"] < region["startColumn"]:
        region["endColumn"] = region["startColumn"]
    return region


def _location(path: str, range_: Range, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"},
            "region": _region(range_),
        }
    }
    if message:
        location["message"] = {"text": message}
    return location


def rule_id(finding: Finding) -> str:
    """The SARIF rule id: the protosmith code, or ``PS390/B104`` for a generic bandit result."""
    rule = get(finding.code)
    if rule is not None and rule.cwe is None and finding.cwe and finding.evidence.rule_id:
        return f"{finding.code}/{finding.evidence.rule_id}"
    return finding.code


def _descriptor(identifier: str, finding: Finding) -> dict[str, Any]:
    code = identifier.split("/", 1)[0]
    rule = get(code)
    cwe = rule.cwe if rule is not None and rule.cwe else finding.cwe
    tags = [finding.category.value]
    if cwe:
        tags += [t for t in ("security", f"external/cwe/cwe-{cwe}") if t not in tags]
    summary = rule.summary if rule else finding.message
    fix = rule.fix if rule else ""
    descriptor: dict[str, Any] = {
        "id": identifier,
        "name": rule.name if rule else identifier,
        "shortDescription": {"text": summary.split(". ")[0][:200]},
        "fullDescription": {"text": summary},
        "help": {
            "text": f"{summary} Fix: {fix}".strip(),
            "markdown": f"{summary}\n\n**Fix:** {fix}",
        },
        "helpUri": rule.href if rule else DOCS_URL,
        "defaultConfiguration": {
            "level": LEVELS[Severity(rule.severity)]
            if rule and rule.severity in Severity._value2member_map_
            else "warning"
        },
        "properties": {"tags": tags},
    }
    if cwe:
        descriptor["properties"]["cwe"] = f"CWE-{cwe}"
    return descriptor


def _result(finding: Finding, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule_id(finding),
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding.path, finding.range)],
        "rank": round(finding.confidence * 100, 1),
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence,
            "tier": finding.tier.value,
            "precision": finding.precision,
            "evidence": finding.evidence.model_dump(exclude_none=True),
        },
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, **_location(r.path, r.range, r.message)}
            for i, r in enumerate(finding.related)
        ]
    if finding.fix is not None and finding.fix.edits:
        by_path: dict[str, list[dict[str, Any]]] = {}
        for edit in finding.fix.edits:
            by_path.setdefault(edit.path, []).append(
                {"deletedRegion": _region(edit.range), "insertedContent": {"text": edit.new_text}}
            )
        result["fixes"] = [
            {
                "description": {"text": finding.fix.title},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": path, "uriBaseId": "SRCROOT"},
                        "replacements": replacements,
                    }
                    for path, replacements in by_path.items()
                ],
            }
        ]
    elif finding.fix is not None and finding.fix.instruction:
        result["properties"]["fixInstruction"] = finding.fix.instruction
    if finding.suppressed:
        result["suppressions"] = [
            {
                "kind": "inSource",
                "state": "accepted",
                "justification": finding.evidence.detail or "protosmith: ignore comment",
            }
        ]
    elif finding.dismissed_reason:
        result["suppressions"] = [
            {"kind": "external", "state": "accepted", "justification": finding.dismissed_reason}
        ]
    return result


def to_sarif(findings: Sequence[Finding], *, root_uri: str | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of ``findings``."""
    rules: dict[str, int] = {}
    descriptors: list[dict[str, Any]] = []
    results = []
    for finding in findings:
        identifier = rule_id(finding)
        if identifier not in rules:
            rules[identifier] = len(descriptors)
            descriptors.append(_descriptor(identifier, finding))
        results.append(_result(finding, rules[identifier]))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "protosmith",
                "version": __version__,
                "informationUri": DOCS_URL,
                "rules": descriptors,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if root_uri:
        run["originalUriBaseIds"] = {
            "SRCROOT": {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}
        }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
