"""Columns: findings count code points; every producer and every client is converted here.

A column is ambiguous until its unit is named. Python's ``ast`` reports UTF-8 byte offsets,
bandit copies them, ruff reports characters, and LSP clients count UTF-16 code units (VS Code)
or UTF-8 bytes (Neovim offers it first). protosmith keeps one unit inside: the code point, i.e.
an index into a Python ``str`` line (LSP's ``utf-32``). Producers that count bytes are converted
once, where a file's findings are assembled (:func:`findings_to_code_points`); the language
server converts once more, to the encoding the client negotiated (:func:`to_client`), and
back for positions the client sends (:func:`from_client`). The CLI's JSON says which unit
it uses (:data:`UNIT`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from protosmith.analysis.findings import Finding, Position, Range

UNIT = "utf-32"
"""The unit of every finding column, in LSP's ``PositionEncodingKind`` words: code points."""

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)

SOURCE_UNITS = {
    "taint": UTF8,
    "protosmith": UTF8,
    "perf": UTF8,
    "bandit": UTF8,
    "gosec": UTF8,
    "go vet": UTF8,
    "eslint": UTF16,
}
"""The column unit of each producer (``Evidence.source``) that does not count code points:
Python's ``ast`` (and bandit, which copies it) and Go count UTF-8 bytes, ESLint counts
JavaScript string indices (UTF-16). ruff, rustc/clippy and Python's SyntaxError count
characters already."""


def _width(char: str, encoding: str) -> int:
    point = ord(char)
    if encoding == UTF8:
        return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4
    if encoding == UTF16:
        return 2 if point > 0xFFFF else 1
    return 1


def to_client(line: str, index: int, encoding: str) -> int:
    """A code-point column of ``line`` in the client's units (clamped to the line)."""
    index = max(0, min(index, len(line)))
    if encoding == UTF32 or line.isascii():
        return index
    return sum(_width(char, encoding) for char in line[:index])


def from_client(line: str, units: int, encoding: str) -> int:
    """A column in the client's units as a code-point index; a split character rounds up."""
    units = max(0, units)
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    seen = 0
    for index, char in enumerate(line):
        if seen >= units:
            return index
        seen += _width(char, encoding)
    return len(line)


def utf8_to_index(line: str, byte_column: int) -> int:
    """A UTF-8 byte offset into ``line`` (what ``ast`` reports) as a code-point index."""
    return from_client(line, byte_column, UTF8)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """Lines as LSP and Python's tokenizer count them: ended by ``\\n``, ``\\r\\n`` or ``\\r``.

    ``str.splitlines`` also breaks at form feeds, ``\\x1c``, U+2028 and others, which would put
    every later line number off by one.
    """
    found = _LINE.findall(text)
    return found if keepends else [line.rstrip("\r\n") for line in found]


class Lines:
    """The lines of one text, split the way LSP counts them."""

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)

    def get(self, line: int) -> str:
        """One line without its end; empty past the end of the text."""
        return self.lines[line] if 0 <= line < len(self.lines) else ""


def _convert_range(value: Range, lines: Lines, convert: Callable[[str, int], int]) -> Range:
    return Range(
        start=Position(
            line=value.start.line,
            character=convert(lines.get(value.start.line), value.start.character),
        ),
        end=Position(
            line=value.end.line, character=convert(lines.get(value.end.line), value.end.character)
        ),
    )


def findings_to_code_points(
    findings: Iterable[Finding],
    path: str | None,
    text: str | None,
    read: Callable[[str], str | None],
) -> None:
    """Convert the columns of ``findings`` to code points, in place, from their producer's unit.

    Only findings whose producer counts otherwise (:data:`SOURCE_UNITS`) change: their range,
    their fix edits and their related locations. ``text`` is the text of ``path`` when it is in
    hand; other files are read with ``read(path)``, and when one cannot be read its columns stay
    as they were.
    """
    texts: dict[str, Lines | None] = {} if path is None or text is None else {path: Lines(text)}

    def lines_of(name: str) -> Lines | None:
        if name not in texts:
            other = read(name)
            texts[name] = Lines(other) if other is not None else None
        return texts[name]

    def convert(value: Range, name: str) -> Range:
        lines = lines_of(name)
        if lines is None:
            return value
        return _convert_range(value, lines, lambda line, units: from_client(line, units, unit))

    for finding in findings:
        unit = SOURCE_UNITS.get(finding.evidence.source, UTF32)
        if unit == UTF32:
            continue
        finding.range = convert(finding.range, finding.path)
        for related in finding.related:
            related.range = convert(related.range, related.path)
        if finding.fix is not None:
            for edit in finding.fix.edits:
                edit.range = convert(edit.range, edit.path)


def reader(root: Path, known: Mapping[str, str] | None = None) -> Callable[[str], str | None]:
    """``read`` for :func:`findings_to_code_points`: texts already in hand, else the file."""

    def read(name: str) -> str | None:
        if known is not None and name in known:
            return known[name]
        path = Path(name) if Path(name).is_absolute() else root / name
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return None

    return read
