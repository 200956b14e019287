"""The finding model: one shape feeds LSP diagnostics, SARIF, JSON and terminal text.

Every finding is grounded: ``evidence`` names the tool that found it, the failing test,
or the lines the LLM cited (which must exist in the file).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, computed_field


class Severity(StrEnum):
    """How bad a finding is; ordered from worst to least."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical up to 3 for info, for sorting and ``--fail-on``."""
        return list(Severity).index(self)


class Category(StrEnum):
    """What area a finding belongs to; the rule code's hundred tells the same."""

    SPEC = "spec"
    QUALITY = "quality"
    SECURITY = "security"
    PERFORMANCE = "performance"
    TEST = "test"
    REQUIREMENT = "requirement"


class Tier(StrEnum):
    """How strongly a finding is established, as CodeQL's precision levels separate queries.

    ``confirmed``: protosmith traced the data, or the pattern itself is the problem (a literal
    key, ``verify=False``). ``unconfirmed``: a dangerous call that no traced untrusted source
    reaches (bandit's hit, or one of protosmith's sinks with a non-constant argument). It stays
    reported, at information level, so nothing true is hidden by the taint filter."""

    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"


class Position(BaseModel):
    """Zero-based line and character, as in LSP."""

    line: int = Field(ge=0)
    character: int = Field(ge=0)


class Range(BaseModel):
    """A zero-based, end-exclusive range in a file."""

    start: Position
    end: Position

    @classmethod
    def lines(cls, first: int, last: int | None = None, *, end_character: int = 0) -> Range:
        """Whole lines ``first``..``last`` (zero-based, inclusive)."""
        last = first if last is None else last
        return cls(
            start=Position(line=first, character=0),
            end=Position(line=last + (0 if end_character else 1), character=end_character),
        )


class TextEdit(BaseModel):
    """Replace ``range`` in ``path`` with ``new_text``."""

    path: str
    range: Range
    new_text: str


class Fix(BaseModel):
    """How to resolve a finding: concrete edits, or an instruction for the refinement engine."""

    title: str
    edits: list[TextEdit] = Field(default_factory=list)
    instruction: str | None = None


class Evidence(BaseModel):
    """Why the finding is believed: the tool, test or cited lines behind it."""

    source: str
    """ruff, bandit, taint, perf, pytest, llm..."""
    rule_id: str | None = None
    """The original tool's rule id (e.g. ruff's S608, bandit's B602)."""
    detail: str = ""
    cited_lines: list[int] = Field(default_factory=list)
    """One-based lines an LLM cited, verified to exist."""


class RelatedLocation(BaseModel):
    """Another place that takes part in the finding (e.g. where tainted data entered)."""

    path: str
    range: Range
    message: str


class Finding(BaseModel):
    """One grounded problem in one file."""

    code: str
    """Stable protosmith rule code, e.g. PS301."""
    category: Category
    severity: Severity
    message: str
    path: str
    range: Range
    evidence: Evidence
    cwe: int | None = None
    confidence: float = Field(default=0.8, ge=0, le=1)
    fix: Fix | None = None
    related: list[RelatedLocation] = Field(default_factory=list)
    tier: Tier = Tier.CONFIRMED
    suppressed: bool = False
    """True when a ``# protosmith: ignore[CODE]`` comment covers it; kept visible in JSON/SARIF."""
    dismissed_reason: str | None = None
    """Set when LLM triage dismissed a static finding; the finding stays in JSON and SARIF."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> str:
        """CodeQL's precision vocabulary (``very-high``/``high``/``medium``/``low``), for SARIF."""
        if self.tier == Tier.UNCONFIRMED:
            return "low"
        if self.confidence >= 0.9:
            return "very-high"
        return "high" if self.confidence >= 0.75 else "medium"

    @property
    def active(self) -> bool:
        """Counts for ``--fail-on`` and diagnostics: neither suppressed nor dismissed."""
        return not self.suppressed and self.dismissed_reason is None


def relative_path(path: Path | str, root: Path) -> str:
    """A finding's ``path``: relative to ``root`` in POSIX form, absolute when outside it.

    A relative ``path`` is taken as relative to ``root`` (tools report paths from there).
    """
    given = Path(path)
    resolved = (given if given.is_absolute() else root / given).resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()
