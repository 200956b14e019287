"""What a protosmith rule is: a stable code, a name, a summary, a fix and its docs link.

Codes are stable: PS1xx spec, PS2xx quality, PS3xx security, PS4xx performance, PS5xx failing
tests, PS6xx requirement coverage. Each package defines its table of rules next to the code that
reports them; :mod:`protosmith.rulebook` lists every table, so looking a code up never depends on
which modules happen to have been imported.
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
