"""Turn raw dangerous flows into findings: code, CWE, message with the flow, related source locations."""

from __future__ import annotations

import ast

from protosmith.analysis.findings import (
    Category,
    Evidence,
    Finding,
    Fix,
    Position,
    Range,
    RelatedLocation,
    Severity,
    Tier,
)
from protosmith.analysis.rules import BY_KIND
from protosmith.analysis.taint.context import RawFinding
from protosmith.analysis.taint.model import RANDOM, Origin

_DOWNGRADE = {
    Severity.CRITICAL: Severity.MAJOR,
    Severity.MAJOR: Severity.MINOR,
    Severity.MINOR: Severity.MINOR,
}


def node_range(node: ast.AST) -> Range:
    """Zero-based LSP range of an AST node."""
    line = getattr(node, "lineno", 1) - 1
    col = getattr(node, "col_offset", 0)
    end_line = (getattr(node, "end_lineno", None) or line + 1) - 1
    end_col = getattr(node, "end_col_offset", None)
    if end_col is None:
        end_col = col
    return Range(
        start=Position(line=line, character=col), end=Position(line=end_line, character=end_col)
    )


def _origin_range(origin: Origin, lines: list[str]) -> Range:
    line = origin.line - 1
    # Columns here are UTF-8 bytes, like the ast's; analysis/positions.py converts them once.
    width = len(lines[line].encode("utf-8")) if 0 <= line < len(lines) else origin.col
    return Range(
        start=Position(line=line, character=origin.col),
        end=Position(line=line, character=max(width, origin.col)),
    )


def _message(raw: RawFinding, title: str) -> str:
    first = raw.origins[0]
    if raw.origin_kind == RANDOM:
        return f"{title}: `{first.description}` (line {first.line}) is not a cryptographic generator but its value reaches {raw.sink}"
    flow = f"{first.description} (line {first.line})"
    if len(raw.origins) > 1:
        flow += f" and {len(raw.origins) - 1} other source(s)"
    through = f" → `{'` → `'.join(raw.through)}`" if raw.through else ""
    via = f" via {raw.via}" if raw.via else ""
    return f"{title}: untrusted data from {flow}{through} reaches {raw.sink}{via}"


def _unconfirmed(raw: RawFinding, path: str) -> Finding:
    security = BY_KIND[raw.kind]
    return Finding(
        code=security.code,
        category=Category.SECURITY,
        severity=Severity.INFO,
        message=f"{security.title} (unconfirmed): a value built at run time reaches {raw.sink}; "
        "no untrusted source was traced to it",
        path=path,
        range=node_range(raw.node),
        evidence=Evidence(source="taint", rule_id=raw.kind, detail="no source traced"),
        cwe=security.cwe,
        confidence=0.3,
        fix=Fix(title=f"Check {security.title.lower()}", instruction=security.fix),
        tier=Tier.UNCONFIRMED,
    )


def to_findings(raws: list[RawFinding], text: str, path: str) -> list[Finding]:
    """Findings for the raw flows of one module, one per (class, line); a traced flow wins over
    an unconfirmed hit on the same line."""
    lines = text.splitlines()
    seen: set[tuple[str, int]] = set()
    findings: list[Finding] = []
    for raw in sorted(raws, key=lambda r: r.unconfirmed):
        if raw.unconfirmed:
            key = (raw.kind, node_range(raw.node).start.line)
            if key not in seen:
                seen.add(key)
                findings.append(_unconfirmed(raw, path))
            continue
        security = BY_KIND[raw.kind]
        anchor_range = node_range(raw.node)
        if raw.origin_kind == RANDOM:
            anchor_range = _origin_range(raw.origins[0], lines)
            anchor_range.end.character = anchor_range.start.character + len(
                raw.origins[0].description.encode("utf-8")
            )
        key = (raw.kind, anchor_range.start.line)
        if key in seen:
            continue
        seen.add(key)
        severity = Severity(security.severity)
        web = any(o.web for o in raw.origins)
        if not web:
            severity = _DOWNGRADE[severity]
        related = [
            RelatedLocation(
                path=path,
                range=_origin_range(o, lines),
                message=f"untrusted data enters here: {o.description}",
            )
            for o in raw.origins[:5]
            if raw.origin_kind != RANDOM
        ]
        if raw.sink_at is not None:
            sink_path, sink_node = raw.sink_at
            related.append(
                RelatedLocation(
                    path=sink_path,
                    range=node_range(sink_node),
                    message=f"the data reaches {raw.sink.split(' in ')[0]} here",
                )
            )
        if raw.origin_kind == RANDOM:
            related.append(
                RelatedLocation(
                    path=path,
                    range=node_range(raw.node),
                    message=f"the value is used for {raw.sink} here",
                )
            )
        findings.append(
            Finding(
                code=security.code,
                category=Category.SECURITY,
                severity=severity,
                message=_message(raw, security.title),
                path=path,
                range=anchor_range,
                evidence=Evidence(source="taint", rule_id=raw.kind, detail=raw.via),
                cwe=security.cwe,
                confidence=0.9 if web else 0.6,
                fix=Fix(title=f"Fix {security.title.lower()}", instruction=security.fix),
                related=related,
            )
        )
    return findings
