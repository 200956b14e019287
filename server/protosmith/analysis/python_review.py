"""Static review of one Python module in process: taint flows, security patterns, performance."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

from protosmith.analysis import rules
from protosmith.analysis.findings import (
    Category,
    Evidence,
    Finding,
    Position,
    Range,
    Severity,
    Tier,
)
from protosmith.analysis.fstrings import parse_module
from protosmith.analysis.performance import analyze_performance
from protosmith.analysis.static_tools import BANDIT_IMPORT_NOTES, BANDIT_KINDS
from protosmith.analysis.taint import analyze_module
from protosmith.analysis.taint.module import module_context
from protosmith.analysis.taint.patterns import check_patterns

UNCONFIRMED_KINDS = frozenset(
    {
        "sqli",
        "cmdi",
        "codeinj",
        "deserialization",
        "ssrf",
        "xxe",
        "xss",
        "pathtraver",
        "weakrand",
        "hash",
        "secret",
    }
)
"""Bandit kinds that protosmith's taint or context rules decide; bandit alone is unconfirmed."""
UNCONFIRMED_NOTES = {
    "weakrand": "no token, cookie, session or secret was seen taking this random value",
    "hash": "no secret was seen being hashed here",
    "secret": "the name suggests a credential; protosmith did not see the value used as a key",
}
"""Why a bandit result of these kinds stays unconfirmed when protosmith's own rule is silent."""
UNCONFIRMED_DEFAULT = "taint analysis traced no untrusted input to this call"
TEST_FILE = re.compile(r"(^|/)(tests?|testing)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")


log = logging.getLogger(__name__)


def is_test_file(path: str) -> bool:
    """Test code by pytest's conventions (``tests/``, ``test_*.py``, ``*_test.py``, ``conftest.py``):
    its asserts are the point and its loops are not hot paths."""
    return bool(TEST_FILE.search(path.replace("\\", "/")))


def analyze_python(path: str, text: str, root: Path | None = None) -> list[Finding]:
    """Taint, pattern and performance findings of one module; a syntax error is one finding.

    ``root`` is the reviewed tree (``path`` is relative to it): taint flows into its other
    modules are followed. Without it, or for a file outside it, each module stands alone.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = parse_module(text, filename=path)
    except SyntaxError as error:
        line = max((error.lineno or 1) - 1, 0)
        col = max((error.offset or 1) - 1, 0)
        return [
            Finding(
                code=rules.SYNTAX,
                category=Category.QUALITY,
                severity=Severity.CRITICAL,
                message=f"syntax error: {error.msg}",
                path=path,
                range=Range(
                    start=Position(line=line, character=col),
                    end=Position(line=line, character=col + 1),
                ),
                evidence=Evidence(source="python", rule_id="syntax"),
                confidence=1.0,
            )
        ]
    findings: list[Finding] = []
    try:
        tree_root = root if root is not None and not Path(path).is_absolute() else None
        ctx = module_context(tree, path, tree_root)
        findings += analyze_module(tree, text, path, ctx=ctx)
        findings += check_patterns(tree, ctx, text, path)
        if not is_test_file(path):  # a test's loops over fixtures are not a hot path
            findings += analyze_performance(tree, path, ctx.imports)
    except Exception:  # boundary: one module's analyzer bug must not end a whole-tree review
        log.exception("protosmith analyzer failed on %s; its findings are incomplete", path)
    return findings


def _span(finding: Finding) -> tuple[int, int]:
    """Lines a finding covers, from where its data entered (related locations) to its sink."""
    starts = [r.range.start.line for r in finding.related if r.path == finding.path]
    return min([finding.range.start.line, *starts]), finding.range.end.line


def merge_bandit(own: list[Finding], bandit: list[Finding]) -> list[Finding]:
    """Keep one finding per issue: bandit results that taint analysis confirms corroborate it;
    the others stay reported, never dismissed, as ``unconfirmed`` information (CodeQL's low
    precision): a sink no traced source reaches may still be reached by one protosmith cannot
    see (a framework it does not model, a file written from a request)."""
    merged: list[Finding] = []
    test_file = bool(bandit) and is_test_file(bandit[0].path)
    for finding in bandit:
        rule = finding.evidence.rule_id or ""
        kind = BANDIT_KINDS.get(rule)
        line = finding.range.start.line
        if rule in BANDIT_IMPORT_NOTES:
            if rule == "B101" and test_file:
                continue  # asserts are how tests check; ``python -O`` does not run tests
            finding.severity = Severity.INFO
            finding.dismissed_reason = "an import or assert notice, not a vulnerability"
            merged.append(finding)
            continue
        match = (
            next(
                (
                    f
                    for f in own
                    if f.category == Category.SECURITY
                    and f.cwe == finding.cwe
                    and _span(f)[0] <= line <= _span(f)[1]
                ),
                None,
            )
            if kind
            else None
        )
        if match is not None:
            note = f"corroborated by bandit {rule}"
            match.evidence.detail = f"{match.evidence.detail}; {note}".strip("; ")
            match.confidence = min(1.0, match.confidence + 0.05)
            if match.tier == Tier.UNCONFIRMED:
                match.confidence = min(match.confidence, 0.5)
            continue
        if kind in UNCONFIRMED_KINDS:
            finding.tier = Tier.UNCONFIRMED
            finding.severity = Severity.INFO
            finding.confidence = min(finding.confidence, 0.4)
            note = UNCONFIRMED_NOTES.get(kind, UNCONFIRMED_DEFAULT)
            finding.message = f"{finding.message}; unconfirmed: {note}"
        merged.append(finding)
    return merged
