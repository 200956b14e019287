"""``# protosmith: ignore[PS301] reason`` comments: the finding stays visible, marked suppressed."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from protosmith.analysis.findings import Finding

_COMMENT = re.compile(r"#\s*protosmith:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_, ]+)\])?(?P<reason>.*)$")


@dataclass(frozen=True)
class Suppression:
    """One ignore comment: the codes it covers (empty: all) and the reason given."""

    line: int
    """Zero-based line the comment applies to."""
    codes: frozenset[str]
    reason: str


def parse_suppressions(text: str) -> dict[int, Suppression]:
    """Suppressions by zero-based line. A comment alone on a line covers the next line too."""
    found: dict[int, Suppression] = {}
    lines = text.splitlines()
    try:
        comments = [
            (tok.start[0] - 1, tok.string)
            for tok in tokenize.generate_tokens(io.StringIO(text).readline)
            if tok.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        comments = [(i, line[line.index("#") :]) for i, line in enumerate(lines) if "#" in line]
    for line, comment in comments:
        match = _COMMENT.search(comment)
        if match is None:
            continue
        codes = frozenset(
            c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip()
        )
        suppression = Suppression(line, codes, match.group("reason").strip())
        found[line] = suppression
        if line < len(lines) and lines[line].strip().startswith("#"):
            found.setdefault(line + 1, Suppression(line + 1, codes, suppression.reason))
    return found


def covers(suppression: Suppression, finding: Finding) -> bool:
    """True when the comment names the finding's code, or its tool rule id, or names none."""
    if not suppression.codes:
        return True
    ids = {finding.code.upper()}
    if finding.evidence.rule_id:
        ids.add(finding.evidence.rule_id.upper())
    return bool(ids & suppression.codes)


def apply_suppressions(findings: list[Finding], text: str) -> list[Finding]:
    """Mark findings covered by an ignore comment on their first or last line as suppressed."""
    table = parse_suppressions(text)
    if not table:
        return findings
    for finding in findings:
        for line in {finding.range.start.line, finding.range.end.line}:
            suppression = table.get(line)
            if suppression is not None and covers(suppression, finding):
                finding.suppressed = True
                if suppression.reason:
                    finding.evidence.detail = (
                        finding.evidence.detail + f" (suppressed: {suppression.reason})"
                    ).strip()
                break
    return findings
