"""Cheap spec features: hover docs for protosmith.toml keys and its document outline.

A line scanner, not a TOML parser, so it works on the half-typed (invalid) text the user is
editing, in time linear in the file. The docs come from the spec model's field docstrings, the
same text the JSON Schema carries, so hover and ``protosmith schema`` never disagree.
"""

from __future__ import annotations

import re
import types as pytypes
import typing
from dataclasses import dataclass, field

from lsprotocol import types
from pydantic import BaseModel

from protosmith.analysis.positions import UTF16, from_client, split_lines, to_client
from protosmith.spec.model import Spec

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\'))*)\s*=\s*(.*)$'
)


def _parts(dotted: str) -> list[str]:
    return [
        part.strip().strip("\"'")
        for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", dotted)
    ]


@dataclass
class Key:
    """A ``key = value`` line."""

    path: list[str]
    line: int
    start: int
    end: int
    value: str


@dataclass
class Table:
    """A table header and the keys under it (the root table has no header)."""

    path: list[str]
    array: bool
    line: int
    start: int = 0
    end: int = 0
    last_line: int = 0
    keys: list[Key] = field(default_factory=list)


def scan(text: str) -> list[Table]:
    """Tables and keys of a TOML text, tolerant of errors; multi-line values are skipped.

    Columns are code points; :func:`hover` and :func:`symbols` convert for the client.
    """
    lines = split_lines(text)
    tables = [Table([], False, 0)]
    closing: str | None = None
    depth = 0
    for number, line in enumerate(lines):
        if closing is not None:
            closing = None if closing in line else closing
            continue
        if depth > 0:
            depth = max(0, depth + line.count("[") - line.count("]"))
            continue
        if match := _HEADER.match(line):
            tables[-1].last_line = number - 1
            start = match.start(2)
            tables.append(
                Table(_parts(match.group(2)), match.group(1) == "[[", number, start, match.end(2))
            )
        elif match := _KEY.match(line):
            value = match.group(2)
            for quote in ('"""', "'''"):
                if value.startswith(quote) and value.count(quote) == 1:
                    closing = quote
            if value.startswith("["):
                depth = max(0, value.count("[") - value.count("]"))
            key = Key(_parts(match.group(1)), number, match.start(1), match.end(1), value.strip())
            tables[-1].keys.append(key)
    tables[-1].last_line = max(len(lines) - 1, tables[-1].line)
    return tables


def _model_of(annotation: typing.Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, pytypes.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_of(arg)
            if found is not None:
                return found
    return None


def describe(path: list[str]) -> str | None:
    """Markdown docs for a dotted spec path (``project.name``), or None when unknown."""
    model: type[BaseModel] | None = Spec
    info = None
    for part in path:
        if model is None or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _model_of(info.annotation)
    if info is None:
        return None
    kind = getattr(info.annotation, "__name__", None) or str(info.annotation).replace("typing.", "")
    required = " required" if info.is_required() else ""
    return f"**{'.'.join(path)}** (`{kind}`{required})\n\n{info.description or ''}".rstrip()


class _Columns:
    """Code-point columns of one text in the client's unit."""

    def __init__(self, text: str, encoding: str) -> None:
        self.lines = split_lines(text)
        self.encoding = encoding

    def line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def point(self, line: int, column: int) -> types.Position:
        return types.Position(line, to_client(self.line(line), column, self.encoding))

    def span(self, line: int, start: int, end: int) -> types.Range:
        return types.Range(self.point(line, start), self.point(line, end))


def hover(text: str, position: types.Position, encoding: str = UTF16) -> types.Hover | None:
    """Hover docs for the key or table header under the cursor (``position`` in client units)."""
    columns = _Columns(text, encoding)
    character = from_client(columns.line(position.line), position.character, encoding)
    for table in scan(text):
        if table.path and table.line == position.line and table.start <= character <= table.end:
            return _hover(table.path, columns.span(table.line, table.start, table.end))
        for key in table.keys:
            if key.line == position.line and key.start <= character <= key.end:
                return _hover(table.path + key.path, columns.span(key.line, key.start, key.end))
    return None


def _hover(path: list[str], span: types.Range) -> types.Hover | None:
    docs = describe(path)
    if docs is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=docs), range=span
    )


def symbols(text: str, encoding: str = UTF16) -> list[types.DocumentSymbol]:
    """The outline: top-level keys, tables, and each scenario by name."""
    outline: list[types.DocumentSymbol] = []
    columns = _Columns(text, encoding)
    for table in scan(text):
        children = [_key_symbol(key, columns) for key in table.keys]
        if not table.path:
            outline.extend(children)
            continue
        name = ".".join(table.path)
        if table.array:
            title = next((k.value.strip("\"'") for k in table.keys if k.path == ["name"]), "")
            name = f"{name}: {title}" if title else name
        last = max(table.last_line, table.line)
        outline.append(
            types.DocumentSymbol(
                name=name,
                kind=types.SymbolKind.Object if table.array else types.SymbolKind.Namespace,
                range=types.Range(
                    types.Position(table.line, 0), columns.point(last, len(columns.line(last)))
                ),
                selection_range=columns.span(table.line, table.start, table.end),
                children=children,
            )
        )
    return outline


def _key_symbol(key: Key, columns: _Columns) -> types.DocumentSymbol:
    end = len(columns.line(key.line)) or key.end
    return types.DocumentSymbol(
        name=".".join(key.path),
        kind=types.SymbolKind.Property,
        detail=key.value[:80],
        range=columns.span(key.line, key.start, end),
        selection_range=columns.span(key.line, key.start, key.end),
    )
