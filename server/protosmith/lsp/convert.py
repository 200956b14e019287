"""Conversions between protosmith's models and lsprotocol types; no I/O, no state.

Severity mapping (documented in docs/lsp.md): critical → Error, major → Warning,
minor → Information, info → Hint. Spec problems (PS1xx) are always errors: the spec cannot be
used until they are fixed. ``Diagnostic.data`` carries only what a fix needs, as ruff's server
does: the rule code, the action's title, the fix's edits (already in the client's unit, in the
diagnostic's own document) or its instruction, the suppression edit, and the document version
it was computed for, so listing code actions reads nothing and never offers a fix for text it
was not computed for.

Positions: findings count code points (:mod:`protosmith.analysis.positions`); every range that
goes to the client passes an :class:`Encoder`, which converts it once to the negotiated
``positionEncoding`` with the text of the file it points into.
"""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pydantic import BaseModel, Field
from pygls.uris import from_fs_path, to_fs_path

from protosmith import rulebook
from protosmith.analysis import positions
from protosmith.analysis.findings import Finding, Fix, Severity, TextEdit
from protosmith.analysis.findings import Position as FindingPosition
from protosmith.analysis.findings import Range as FindingRange
from protosmith.analysis.positions import Lines
from protosmith.lsp.arguments import ClientRange
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


class Encoder:
    """Converts code-point ranges to the client's unit, with the text of each file involved.

    ``text_of(path)`` gives a file's current text (the open document, else the file on disk);
    a file that cannot be read keeps its columns as they are.
    """

    def __init__(self, encoding: str, text_of: Callable[[Path], str | None]) -> None:
        self.encoding = encoding
        self._text_of = text_of
        self._lines: dict[Path, Lines | None] = {}

    def lines(self, path: Path) -> Lines | None:
        """The lines of ``path``, read once per encoder."""
        if path not in self._lines:
            text = self._text_of(path)
            self._lines[path] = Lines(text) if text is not None else None
        return self._lines[path]

    def position(self, value: FindingPosition, path: Path) -> types.Position:
        character = value.character
        lines = None if self.encoding == positions.UTF32 else self.lines(path)
        if lines is not None:
            character = positions.to_client(lines.get(value.line), character, self.encoding)
        return types.Position(line=value.line, character=character)

    def range(self, value: FindingRange, path: Path) -> types.Range:
        """A finding range (zero-based, end-exclusive, code points) as an LSP range."""
        return types.Range(
            start=self.position(value.start, path), end=self.position(value.end, path)
        )

    def edit(self, value: TextEdit, path: Path) -> dict[str, Any]:
        """A finding's edit of ``path`` in the client's unit, as the JSON of an :class:`Edit`
        (validated once, with the rest of a diagnostic's data)."""
        return {
            "range": to_jsonable_range(self.range(value.range, path)),
            "new_text": value.new_text,
        }


def position_encoding(chosen: Any) -> str:
    """The negotiated ``positionEncoding`` as one of ``utf-8``, ``utf-16``, ``utf-32``."""
    value = str(getattr(chosen, "value", chosen) or positions.UTF16).lower()
    return value if value in positions.ENCODINGS else positions.UTF16


def finding_range(value: types.Range, lines: Lines, encoding: str) -> FindingRange:
    """A range the client sent (its unit) as a code-point finding range."""

    def point(position: types.Position) -> FindingPosition:
        text = lines.get(position.line)
        return FindingPosition(
            line=max(position.line, 0),
            character=positions.from_client(text, max(position.character, 0), encoding),
        )

    return FindingRange(start=point(value.start), end=point(value.end))


def _code_description(code: str) -> types.CodeDescription | None:
    rule = rulebook.get(code)
    return types.CodeDescription(href=rule.href) if rule else None


def spec_diagnostic(problem: SpecProblem, lines: Lines, encoding: str) -> types.Diagnostic:
    """A spec problem (one-based lines, one-based code-point columns, end-exclusive) as a
    zero-based LSP diagnostic in the client's unit."""
    start_line, end_line = max(problem.line - 1, 0), max(problem.end_line - 1, 0)

    def column(line: int, one_based: int) -> int:
        return positions.to_client(lines.get(line), max(one_based - 1, 0), encoding)

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
    finding: Finding, root: Path, version: int | None, encoder: Encoder
) -> types.Diagnostic:
    """A finding as a diagnostic; ``data`` holds its fix and the version it was computed for."""
    related = []
    for item in finding.related:
        target = resolve_path(item.path, root)
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=path_to_uri(target), range=encoder.range(item.range, target)
                ),
                message=item.message,
            )
        )
    message = finding.message
    if finding.cwe is not None and f"CWE-{finding.cwe}" not in message:
        message = f"{message} (CWE-{finding.cwe})"
    path = resolve_path(finding.path, root)
    return types.Diagnostic(
        range=encoder.range(finding.range, path),
        message=message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=_code_description(finding.code),
        source=SOURCE,
        related_information=related or None,
        data=diagnostic_data_of(finding, path, root, version, encoder).model_dump(
            mode="json", exclude_defaults=True
        ),
    )


class Edit(BaseModel):
    """An LSP text edit in the client's unit, of the document the diagnostic belongs to."""

    range: ClientRange
    new_text: str

    def to_lsp(self) -> types.TextEdit:
        start, end = self.range.start, self.range.end
        return types.TextEdit(
            range=types.Range(
                start=types.Position(line=start.line, character=start.character),
                end=types.Position(line=end.line, character=end.character),
            ),
            new_text=self.new_text,
        )


class DiagnosticData(BaseModel):
    """What a protosmith diagnostic carries for its code actions, and nothing more."""

    code: str
    title: str = ""
    """The fix's code action title (see :func:`fix_title`); empty when there is no fix."""
    edits: list[Edit] = Field(default_factory=list)
    """The fix's edits; empty when the fix is only an instruction."""
    instruction: str | None = None
    """What the refinement engine is asked to do when the fix has no edits."""
    suppression: Edit | None = None
    """The edit that adds ``# protosmith: ignore[CODE]`` to the finding's line."""
    version: int | None = None
    """The document version the finding was computed for; a fix for another is not offered."""


def diagnostic_data_of(
    finding: Finding, path: Path, root: Path, version: int | None, encoder: Encoder
) -> DiagnosticData:
    """The data of a finding's diagnostic in ``path``: its fix and suppression, client unit.

    A fix with an edit outside the finding's own file (none is produced today) is offered as
    its instruction only, so the data never names another file.
    """
    lines = encoder.lines(path)
    line = finding.range.start.line
    ignore = ignore_edit(str(path), finding.code, line, lines.get(line) if lines else "")
    data: dict[str, Any] = {
        "code": finding.code,
        "suppression": encoder.edit(ignore, path),
        "version": version,
    }
    fix = finding.fix
    if fix is not None:
        data["title"] = fix_title(finding.code, fix)
        data["instruction"] = fix.instruction
        target = os.path.normpath(path)
        if all(os.path.normpath(resolve_path(edit.path, root)) == target for edit in fix.edits):
            data["edits"] = [encoder.edit(edit, path) for edit in fix.edits]
    return DiagnosticData.model_validate(data)


def diagnostic_data(diagnostic: types.Diagnostic) -> DiagnosticData | None:
    """The data of a protosmith diagnostic (None for others; a ValueError when malformed)."""
    if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
        return None
    return DiagnosticData.model_validate(diagnostic.data)


def document_edit(uri: str, edits: list[Edit]) -> types.WorkspaceEdit:
    """Edits of one document (already in the client's unit) as a WorkspaceEdit."""
    return types.WorkspaceEdit(changes={uri: [edit.to_lsp() for edit in edits]})


def workspace_edit(edits: list[TextEdit], root: Path, encoder: Encoder) -> types.WorkspaceEdit:
    """Protosmith text edits (possibly across files) as one WorkspaceEdit in the client's unit."""
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        target = resolve_path(edit.path, root)
        changes.setdefault(path_to_uri(target), []).append(
            types.TextEdit(range=encoder.range(edit.range, target), new_text=edit.new_text)
        )
    return types.WorkspaceEdit(changes=changes)


def merge_edits(groups: list[list[Edit]]) -> list[Edit]:
    """Concatenate the fixes of one document, dropping any fix that overlaps one already taken."""
    taken: list[Edit] = []

    def span(edit: Edit) -> tuple[tuple[int, int], tuple[int, int]]:
        r = edit.range
        return (r.start.line, r.start.character), (r.end.line, r.end.character)

    def overlaps(a: Edit, b: Edit) -> bool:
        (a_start, a_end), (b_start, b_end) = span(a), span(b)
        return a_start < b_end and b_start < a_end

    for group in groups:
        if not any(overlaps(edit, other) for edit in group for other in taken):
            taken.extend(group)
    return taken


def ignore_edit(path: str, code: str, line: int, line_text: str, reason: str = "") -> TextEdit:
    """Insert ``# protosmith: ignore[CODE] reason``: at the end of ``line`` (a code-point
    column), or on a new line above it when that line already ends in a comment."""
    comment = f"# protosmith: ignore[{code}]" + (f" {reason}" if reason else "")
    body = line_text.rstrip("\r\n")
    if not _has_comment(body):
        return _text_edit(path, (line, len(body)), (line, len(body)), f"  {comment}")
    indent = body[: len(body) - len(body.lstrip())]
    return _text_edit(path, (line, 0), (line, 0), f"{indent}{comment}\n")


def _has_comment(line: str) -> bool:
    """Whether a line of Python ends in a comment (a ``#`` inside a string does not count)."""
    if "#" not in line:
        return False
    if "'" not in line and '"' not in line:
        return True  # no string the "#" could be inside (and tokenizing costs ~40 µs a line)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # part of a multi-line construct: keep the comment off this line
    return any(token.type == tokenize.COMMENT for token in tokens)


def fix_title(code: str, fix: Fix) -> str:
    """A code action's title: the fix in proper case with the rule's name, and the rule code.

    Producers write titles such as "Fix sql injection" or a bare "Optimize"; the rule registry
    knows the name as it is spelled ("SQL injection").
    """
    name = rule_name(code)
    if name[1:2].islower():  # "Cross-site scripting" reads "cross-site scripting" mid-sentence
        name = name[:1].lower() + name[1:]
    title = fix.title.strip() or "Fix"
    if name and title.lower() in ("fix", f"fix {name.lower()}"):
        title = f"Fix {name}"
    elif name and len(title.split()) == 1:
        title = f"{title}: {name}"
    return f"{title} ({code})"


def rule_name(code: str) -> str:
    """The rule's human name: the first sentence of its summary when short, else its slug."""
    rule = rulebook.get(code)
    if rule is None:
        return ""
    first = rule.summary.split(". ", 1)[0].rstrip(".")
    if len(first) <= 40:
        return first
    words = rule.name.replace("-", " ")
    return words[:1].upper() + words[1:]


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


def to_jsonable_range(value: types.Range) -> dict[str, Any]:
    """An LSP range as the JSON object the client sends (a command argument, diagnostic data)."""
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def to_jsonable(value: Any) -> Any:
    """Pydantic models (summaries, results) as plain JSON for command results."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else value
