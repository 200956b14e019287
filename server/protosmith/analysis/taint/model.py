"""Abstract values of the taint lattice: where a value may have come from, and what it is safe for."""

from __future__ import annotations

from dataclasses import dataclass

INPUT = "input"
"""Origin kind: data an attacker controls (request parameters, argv, environment, files)."""
RANDOM = "random"
"""Origin kind: output of a non-cryptographic PRNG."""
NOT_INVOCATION = "input-not-invocation"
"""Sink marker: untrusted input, except the process's environment and command line, which are
configuration there (the program a process runs without a shell, file paths). Reported findings
say INPUT."""
PARAM = "param"
"""Origin kind: a function parameter, used to compute same-module function summaries."""

ALL_KINDS = frozenset(
    {
        "sqli",
        "cmdi",
        "codeinj",
        "deserialization",
        "pathtraver",
        "redirect",
        "xss",
        "xxe",
        "ldapi",
        "xpathi",
        "ssrf",
        "header",
        "trustbound",
    }
)


@dataclass(frozen=True)
class Origin:
    """One place a tainted value came from."""

    kind: str
    description: str
    line: int
    """One-based line."""
    col: int
    web: bool = True
    """False for argv, input(), environment and file reads: lower confidence and severity."""
    index: int = -1
    """For PARAM origins: the parameter position."""


@dataclass(frozen=True)
class TV:
    """A taint value: the origins that may reach it and the vulnerability classes it is safe for."""

    origins: frozenset[Origin] = frozenset()
    safe_for: frozenset[str] = frozenset()

    @property
    def tainted(self) -> bool:
        return bool(self.origins)

    def join(self, other: TV) -> TV:
        """Least upper bound: any origin of either; safe only where both are."""
        if not other.origins:
            return self
        if not self.origins:
            return other
        return TV(self.origins | other.origins, self.safe_for & other.safe_for)

    def sanitized(self, kinds: frozenset[str]) -> TV:
        """The same value, now safe for ``kinds``."""
        if not self.origins:
            return self
        return TV(self.origins, self.safe_for | kinds)

    def dangerous_for(self, kind: str, origin_kind: str = INPUT) -> list[Origin]:
        """Origins of ``origin_kind`` that make this value dangerous at a ``kind`` sink."""
        if kind in self.safe_for:
            return []
        if kind == "codeinj" and {"literal-start", "literal-end", "literal-inner"} <= self.safe_for:
            return []
        return sorted(
            (o for o in self.origins if o.kind in (origin_kind, PARAM)),
            key=lambda o: (o.line, o.col),
        )


CLEAN = TV()


def join_all(values: list[TV]) -> TV:
    """Join of many values (CLEAN for none)."""
    result = CLEAN
    for value in values:
        result = result.join(value)
    return result
