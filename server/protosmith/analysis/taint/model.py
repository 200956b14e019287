"""Abstract values of the taint lattice: where a value may have come from, and what it is safe for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

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
    keys: bool = False
    """For PARAM origins: the keys of the mapping passed there, not the whole of it."""


KEYS = "keys"
"""Safety tag: this origin is in a mapping's values only, not in its keys (``{"name": x}``,
``f(name=x)``), so iterating its keys does not carry it."""
LITERAL_POSITIONS = frozenset({"literal-start", "literal-end", "literal-inner"})
"""A value quoted on every side inside a string literal is data to ``eval``, not code."""


RELATIVE_URL = frozenset({"relative", "slashes"})
"""A URL checked to have no host (``not urlparse(u).netloc``) after its backslashes were made
slashes (browsers read ``/\\evil.com`` as ``//evil.com``): a same-site redirect target."""


def _safe(kind: str, safe_for: frozenset[str]) -> bool:
    return (
        kind in safe_for
        or (kind == "codeinj" and safe_for >= LITERAL_POSITIONS)
        or (kind == "redirect" and safe_for >= RELATIVE_URL)
    )


@dataclass(frozen=True)
class TV:
    """A taint value: the origins that may reach it, each with the vulnerability classes it has
    been made safe for on its way here.

    Safety is kept per origin, because a value is often built from parts sanitized differently:
    in ``"grep {} | tail -n {}".format(shlex.quote(term), limit)`` only ``limit`` can still
    inject a command, so only ``limit`` is reported (or, inside a function, only the parameter
    it came from makes the callers' arguments dangerous)."""

    facts: frozenset[tuple[Origin, frozenset[str]]] = frozenset()

    @staticmethod
    def of(origins: frozenset[Origin], safe_for: frozenset[str] = frozenset()) -> TV:
        """A value from ``origins``, all of them safe for ``safe_for``."""
        return TV(frozenset((origin, safe_for) for origin in origins))

    @property
    def origins(self) -> frozenset[Origin]:
        return frozenset(origin for origin, _ in self.facts)

    @property
    def tainted(self) -> bool:
        return bool(self.facts)

    def join(self, other: TV) -> TV:
        """Least upper bound: any origin of either; an origin in both is safe only where both
        say so."""
        if not other.facts or other.facts <= self.facts:
            return self
        if not self.facts or self.facts <= other.facts:
            return other
        merged = dict(self.facts)
        for origin, safe_for in other.facts:
            known = merged.get(origin)
            merged[origin] = safe_for if known is None else known & safe_for
        return TV(frozenset(merged.items()))

    def sanitized(self, kinds: frozenset[str]) -> TV:
        """The same value, now safe for ``kinds`` whatever it came from."""
        if not self.facts or not kinds:
            return self
        return TV(frozenset((origin, safe_for | kinds) for origin, safe_for in self.facts))

    def keys_part(self) -> TV:
        """The taint of this mapping's keys: origins not marked value-only, and each parameter
        as "the keys of" that parameter (resolved at the call)."""
        return TV(
            frozenset(
                (replace(origin, keys=True) if origin.kind == PARAM else origin, safe_for)
                for origin, safe_for in self.facts
                if KEYS not in safe_for
            )
        )

    def map_origins(self, change: Callable[[Origin], Origin]) -> TV:
        """The same value with each origin replaced by ``change(origin)``, safety kept."""
        return TV(frozenset((change(origin), safe_for) for origin, safe_for in self.facts))

    def dangerous_for(self, kind: str, origin_kind: str = INPUT) -> list[Origin]:
        """Origins of ``origin_kind`` that make this value dangerous at a ``kind`` sink."""
        return sorted(
            (
                origin
                for origin, safe_for in self.facts
                if origin.kind in (origin_kind, PARAM) and not _safe(kind, safe_for)
            ),
            key=lambda o: (o.line, o.col, o.index, o.kind, o.description, o.keys),
        )


CLEAN = TV()


def join_all(values: list[TV]) -> TV:
    """Join of many values (CLEAN for none)."""
    result = CLEAN
    for value in values:
        result = result.join(value)
    return result
