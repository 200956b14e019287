"""docs/rules.md is generated from the rule registry and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from protosmith.report.rules_doc import load_all, render

ROOT = Path(__file__).parent.parent


def test_rules_doc_is_current() -> None:
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render(load_all()), "run: python -m protosmith.report.rules_doc"


def test_every_rule_is_documented_with_a_fix_or_summary() -> None:
    rules = load_all()
    assert {code[:3] for code in rules} >= {"PS1", "PS2", "PS3", "PS4", "PS5", "PS6"}
    for rule in rules.values():
        assert rule.summary.strip(), rule.code
        # PS350 (LLM), PS390 and PS391 (other tools) carry the CWE of each result instead.
        if rule.code.startswith("PS3") and rule.code not in {"PS350", "PS390", "PS391"}:
            assert rule.cwe, f"{rule.code} has no CWE"
