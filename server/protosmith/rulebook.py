"""Every rule protosmith reports, from one explicit list of rule tables.

The tables live next to the code that reports them (spec, static analysis, LLM review, test
runs); this module imports each one by name. Registration used to happen as a side effect of
importing a table, so a process that never imported, say, the execution package (the language
server) had no PS5xx rules and its diagnostics lost their documentation links. A new table is
added to :data:`RULE_TABLES`, and ``docs/rules.md`` is generated from the result
(``python -m protosmith.report.rules_doc``; a test keeps the two in sync).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from protosmith.analysis.llm_rules import LLM_RULES
from protosmith.analysis.rules import ANALYSIS_RULES
from protosmith.execution.rules import EXECUTION_RULES
from protosmith.rules import Rule
from protosmith.spec.rules import SPEC_RULES

RULE_TABLES: tuple[tuple[Rule, ...], ...] = (
    SPEC_RULES,
    ANALYSIS_RULES,
    LLM_RULES,
    EXECUTION_RULES,
)
"""Every rule table: spec (PS1xx), static review (PS2xx-PS4xx), LLM review, test runs (PS5xx)."""


def index(tables: Iterable[Iterable[Rule]]) -> dict[str, Rule]:
    """The rules by code, sorted; a code defined twice with different content is a bug."""
    rules: dict[str, Rule] = {}
    for table in tables:
        for rule in table:
            existing = rules.get(rule.code)
            if existing is not None and existing != rule:
                raise ValueError(f"rule {rule.code} is defined twice with different content")
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


RULES: Mapping[str, Rule] = index(RULE_TABLES)
"""Every rule, by code."""


def get(code: str) -> Rule | None:
    """Look a rule up by code."""
    return RULES.get(code)
