"""The registry of protosmith rule codes.

Codes are stable: PS1xx spec, PS2xx quality, PS3xx security, PS4xx performance, PS5xx failing
tests, PS6xx requirement coverage. Each package registers its rules here; ``docs/rules.md`` is
generated from this registry (``python -m protosmith.report.rules_doc``) and a test keeps the two
in sync, so a diagnostic's ``codeDescription.href`` always lands on a real section.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS_URL = "https://github.com/protosmith/protosmith/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Rule:
    """One rule: its code, a short name, what it means, and how to fix it."""

    code: str
    name: str
    summary: str
    fix: str = ""
    severity: str = "major"
    """Default severity: critical, major, minor or info."""
    cwe: int | None = None

    @property
    def href(self) -> str:
        """Link to this rule's section of docs/rules.md."""
        return f"{DOCS_URL}#{self.code.lower()}"


RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    """Add rules to the registry; a code registered twice with different content is a bug."""
    for rule in rules:
        existing = RULES.get(rule.code)
        if existing is not None and existing != rule:
            raise ValueError(f"rule {rule.code} registered twice with different content")
        RULES[rule.code] = rule


def get(code: str) -> Rule | None:
    """Look a rule up by code."""
    return RULES.get(code)
