"""Conversions between protosmith's models and lsprotocol types; no I/O, no state.

Severity mapping (documented in docs/lsp.md): critical → Error, major → Warning,
minor → Information, info → Hint. Spec problems (PS1xx) are always errors: the spec cannot be
used until they are fixed. The finding's fix rides in ``Diagnostic.data`` together with the
finding itself and the document version it was computed for, so code actions need no lookup
and never apply a fix to text it was not computed for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from protosmith import rules
from protosmith.analysis.findings import Finding, Severity, TextEdit
from protosmith.analysis.findings import Range as FindingRange
from protosmith.spec.problems import SpecProblem

SOURCE = "protosmith"
SEVERITY = {
    Severity.CRITICAL: types.DiagnosticSeverity.Error,
    Severity.MAJOR: types.DiagnosticSeverity.Warning,
    Severity.MINOR: types.DiagnosticSeverity.Information,
    Severity.INFO: types.DiagnosticSeverity.Hint,
}


def path_to_uri(path: Path | str) -> str:
    """A file URI for an absolute path."""
    return from_fs_path(str(path)) or Path(path).as_uri()


def uri_to_path(uri: str) -> Path:
    """The filesystem path of a file URI (a ValueError for other schemes)."""
    path = to_fs_path(uri)
    if path is None or not uri.startswith("file:"):
        raise ValueError(f"not a file URI: {uri}")
    return Path(path)


def resolve_path(path: str, root: Path) -> Path:
    """A finding's path (relative to the workspace root, or absolute) as an absolute path."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else root / candidate


def lsp_range(value: FindingRange) -> types.Range:
    """A finding range (zero-based, end-exclusive, like LSP) as an LSP range."""
    return types.Range(
        start=types.Position(line=value.start.line, character=value.start.character),
        end=types.Position(line=value.end.line, character=value.end.character),
    )


def finding_range(value: types.Range) -> FindingRange:
    """An LSP range as a finding range."""
    return FindingRange.model_validate(
        {
            "start": {"line": value.start.line, "character": value.start.character},
            "end": {"line": value.end.line, "character": value.end.character},
        }
    )


def _utf16(line: str, column: int) -> int:
    """Code-point column to UTF-16 units, which is what LSP positions count by default."""
    prefix = line[:column]
    return column + sum(1 for char in prefix if ord(char) > 0xFFFF)


def _code_description(code: str) -> types.CodeDescription | None:
    rule = rules.get(code)
    return types.CodeDescription(href=rule.href) if rule else None


def spec_diagnostic(problem: SpecProblem, lines: list[str]) -> types.Diagnostic:
    """A spec problem (one-based, end-exclusive columns) as a zero-based LSP diagnostic."""
    start_line, end_line = max(problem.line - 1, 0), max(problem.end_line - 1, 0)

    def column(line: int, one_based: int) -> int:
        text = lines[line] if line < len(lines) else ""
        return _utf16(text, max(one_based - 1, 0))

    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=start_line, character=column(start_line, problem.column)),
            end=types.Position(line=end_line, character=column(end_line, problem.end_column)),
        ),
        message=problem.message,
        severity=types.DiagnosticSeverity.Error,
        code=problem.code,
        code_description=_code_description(problem.code),
        source=SOURCE,
    )


def finding_diagnostic(
    finding: Finding, root: Path, version: int | None = None
) -> types.Diagnostic:
    """A finding as a diagnostic; the finding (with its fix) and the version go into ``data``."""
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=path_to_uri(resolve_path(item.path, root)), range=lsp_range(item.range)
            ),
            message=item.message,
        )
        for item in finding.related
    ]
    message = finding.message
    if finding.cwe is not None and f"CWE-{finding.cwe}" not in message:
        message = f"{message} (CWE-{finding.cwe})"
    return types.Diagnostic(
        range=lsp_range(finding.range),
        message=message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=_code_description(finding.code),
        source=SOURCE,
        related_information=related or None,
        data={
            "finding": finding.model_dump(mode="json"),
            "root": str(root),
            "version": version,
        },
    )


def diagnostic_finding(diagnostic: types.Diagnostic) -> tuple[Finding, Path, int | None] | None:
    """The finding, root and version a protosmith diagnostic carries (None for others)."""
    data = diagnostic.data
    if diagnostic.source != SOURCE or not isinstance(data, dict) or "finding" not in data:
        return None
    finding = Finding.model_validate(data["finding"])
    return finding, Path(str(data.get("root", "."))), data.get("version")


def workspace_edit(edits: list[TextEdit], root: Path) -> types.WorkspaceEdit:
    """Protosmith text edits (possibly across files) as one WorkspaceEdit."""
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        uri = path_to_uri(resolve_path(edit.path, root))
        changes.setdefault(uri, []).append(
            types.TextEdit(range=lsp_range(edit.range), new_text=edit.new_text)
        )
    return types.WorkspaceEdit(changes=changes)


def merge_edits(groups: list[list[TextEdit]]) -> list[TextEdit]:
    """Concatenate fixes, dropping any group that overlaps one already taken (fix-all)."""
    taken: list[TextEdit] = []

    def key(edit: TextEdit) -> tuple[str, int, int, int, int]:
        r = edit.range
        return (edit.path, r.start.line, r.start.character, r.end.line, r.end.character)

    def overlaps(a: TextEdit, b: TextEdit) -> bool:
        ka, kb = key(a), key(b)
        return ka[0] == kb[0] and ka[1:3] < kb[3:5] and kb[1:3] < ka[3:5]

    for group in groups:
        if not any(overlaps(edit, other) for edit in group for other in taken):
            taken.extend(group)
    return taken


def ignore_edit(path: str, code: str, line: int, line_text: str, reason: str = "") -> TextEdit:
    """Insert ``# protosmith: ignore[CODE] reason``: at the end of ``line``, or on a new line
    above it when that line already ends in a comment."""
    comment = f"# protosmith: ignore[{code}]" + (f" {reason}" if reason else "")
    body = line_text.rstrip("\r\n")
    if "#" not in body:
        return _text_edit(path, (line, len(body)), (line, len(body)), f"  {comment}")
    indent = body[: len(body) - len(body.lstrip())]
    return _text_edit(path, (line, 0), (line, 0), f"{indent}{comment}\n")


def _text_edit(path: str, start: tuple[int, int], end: tuple[int, int], text: str) -> TextEdit:
    return TextEdit.model_validate(
        {
            "path": path,
            "range": {
                "start": {"line": start[0], "character": start[1]},
                "end": {"line": end[0], "character": end[1]},
            },
            "new_text": text,
        }
    )


def to_jsonable(value: Any) -> Any:
    """Pydantic models (summaries, results) as plain JSON for command results."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else value
