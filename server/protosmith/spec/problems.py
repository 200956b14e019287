"""A located problem in a spec file: what ``check`` prints and the editor underlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from protosmith.spec.model import Spec


@dataclass(frozen=True)
class SpecProblem:
    """One problem, with one-based line and column like a compiler (LSP converts to zero-based)."""

    code: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    path: str = ""

    def format(self) -> str:
        """``PATH:LINE:COL: CODE message``, the ``protosmith check`` line format."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"


@dataclass
class LoadResult:
    """The spec when it is valid, and every problem found either way."""

    path: Path
    spec: Spec | None
    problems: list[SpecProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.problems
