"""A position index of a TOML document: where each key, table and value is written.

``tomllib`` returns plain data without positions, and pydantic reports errors as paths like
``("scenarios", 1, "acceptance")``. This module scans the text once more (only when the text
already parsed, so it can assume valid TOML) and maps every path to the ranges of its key and
its value, so the editor can underline exactly the part that is wrong.

The scanner is linear and works with anchored regular expressions, so a multi-megabyte file
is indexed in a fraction of a second.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

PathPart = str | int
Path = tuple[PathPart, ...]

_SKIP_SPACE = re.compile(r"[ \t]*")
_SKIP_BLANK = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_STRING = re.compile(r"'[^'\n]*'")
_SCALAR = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}:\d{2}(?:\.\d+)?"
    r"|[^\s,\]}#]+"
)
_SIMPLE_KEY = re.compile(r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*")
_ATOM = r"\"(?:[^\"\\\n]|\\.)*+\"|'[^'\n]*+'|[A-Za-z0-9_+.:-]++"
_FLAT_ARRAY = rf"\[[ \t]*+(?:(?>{_ATOM})(?:[ \t]*+,[ \t]*+(?>{_ATOM}))*+[ \t]*+,?[ \t]*+)?\]"
_SIMPLE_VALUE = re.compile(rf"(?>{_FLAT_ARRAY}|{_ATOM})(?=[ \t]*(?:[#,}}\]]|\r?\n|\Z))")
"""A one-line string, scalar or flat array: skipped with one regex when nobody asked for it."""
_FAST_STATEMENT = re.compile(
    rf"(?:[ \t\r\n]|#[^\n]*)*+([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?>{_FLAT_ARRAY}|{_ATOM})"
    r"(?=[ \t]*(?:#|\r?\n|\Z))"
)


def _nested(depth: int) -> str:
    """An array or inline table nested at most ``depth`` deep, brackets counted, not typed
    (the text already parsed, so they match); one-line strings only, comments allowed."""
    inner = r"(?:[^\"'#\[\]{}]++|(?!\"\"\"|\'\'\')(?:\"(?:[^\"\\\n]|\\.)*+\"|'[^'\n]*+')|#[^\n]*+)"
    pattern = rf"[\[{{]{inner}*+[\]}}]"
    for _ in range(depth - 1):
        pattern = rf"[\[{{](?:{inner}|{pattern})*+[\]}}]"
    return pattern


_SKIP_NESTED = re.compile(_nested(4))
"""An array or inline table nobody asked for, however it is spread over lines: one regex."""
_SIMPLE_HEADER = re.compile(r"\[\[?[ \t]*([A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*)([ \t]*)")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class Span:
    """A half-open range of character offsets into the text."""

    start: int
    end: int


@dataclass
class Entry:
    """Where a path is written: its key (or table header) and its value."""

    key: Span
    value: Span


@dataclass
class Position:
    """One-based line and column (in characters), like a compiler prints them."""

    line: int
    column: int


@dataclass
class PositionIndex:
    """Maps data paths to spans and spans to one-based line/column positions."""

    text: str
    entries: dict[Path, Entry] = field(default_factory=dict)
    complete: bool = True
    """False when the scan stopped early (e.g. absurdly deep nesting); lookups fall back."""

    def __post_init__(self) -> None:
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> Position:
        """Line and column of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(line + 1, offset - self._line_starts[line] + 1)

    def first_line(self) -> Span:
        """The first line of the document, the place for problems that belong nowhere else."""
        end = self.text.find("\n")
        end = len(self.text) if end < 0 else end
        return Span(0, max(end, 0))

    def lookup(self, path: Path) -> Entry | None:
        """The entry of ``path`` itself, if it is written in the text."""
        return self.entries.get(path)

    def nearest(self, path: Path) -> tuple[Path, Entry] | None:
        """The entry of the longest prefix of ``path`` that is written in the text."""
        for length in range(len(path), 0, -1):
            entry = self.entries.get(path[:length])
            if entry is not None:
                return path[:length], entry
        return None


def unescape_basic(body: str) -> str:
    """Decode the escapes of a TOML basic string body (without the quotes)."""

    def replace(match: re.Match[str]) -> str:
        short, long, simple = match.groups()
        if short or long:
            return chr(int(short or long, 16))
        return _SIMPLE_ESCAPES.get(simple, simple)

    return _ESCAPE.sub(replace, body)


class _Scanner:
    """Walks valid TOML text and records an :class:`Entry` for every path it meets."""

    def __init__(self, text: str, index: PositionIndex, roots: Iterable[Path] | None) -> None:
        self.text = text
        self.n = len(text)
        self.index = index
        self.array_tables: dict[Path, int] = {}
        self.roots = None if roots is None else {root for root in roots if root}
        self.prefixes = (
            None
            if self.roots is None
            else {root[:length] for root in self.roots for length in range(1, len(root) + 1)}
        )

    def wanted(self, path: Path) -> bool:
        """Whether ``path`` or something below it was asked for (everything, without roots)."""
        if self.roots is None or self.prefixes is None or path in self.prefixes:
            return True
        return any(path[:length] in self.roots for length in range(len(path) - 1, 0, -1))

    def record(self, path: Path, key: Span, value: Span) -> None:
        if path not in self.index.entries and self.wanted(path):
            self.index.entries[path] = Entry(key, value)

    def skip(self, pattern: re.Pattern[str], pos: int) -> int:
        match = pattern.match(self.text, pos)
        return match.end() if match else pos

    def key(self, pos: int) -> tuple[list[str], int]:
        """Parse a (possibly dotted, possibly quoted) key; return its parts and end offset."""
        parts: list[str] = []
        while True:
            pos = self.skip(_SKIP_SPACE, pos)
            char = self.text[pos] if pos < self.n else ""
            if char == '"':
                match = _BASIC_STRING.match(self.text, pos)
                if match is None:
                    raise ValueError("bad quoted key")
                parts.append(unescape_basic(match.group()[1:-1]))
            elif char == "'":
                match = _LITERAL_STRING.match(self.text, pos)
                if match is None:
                    raise ValueError("bad literal key")
                parts.append(match.group()[1:-1])
            else:
                match = _BARE_KEY.match(self.text, pos)
                if match is None:
                    raise ValueError("bad key")
                parts.append(match.group())
            pos = self.skip(_SKIP_SPACE, match.end())
            if pos < self.n and self.text[pos] == ".":
                pos += 1
                continue
            return parts, pos

    def concrete(self, parts: list[str]) -> Path:
        """A header's path with the current index of every array of tables it passes through."""
        path: Path = ()
        for part in parts:
            path = (*path, part)
            count = self.array_tables.get(path)
            if count is not None:
                path = (*path, count - 1)
        return path

    def everything_below(self, table: Path) -> bool:
        """Whether every statement of ``table`` must be recorded."""
        if self.roots is None:
            return True
        return any(table[:length] in self.roots for length in range(len(table), 0, -1))

    def document(self) -> None:
        table: Path = ()
        pos = 0
        below = self.everything_below(table)
        prefixes = self.prefixes or set()
        while True:
            if not below:
                fast = _FAST_STATEMENT.match(self.text, pos)
                if fast is not None and (*table, fast.group(1)) not in prefixes:
                    pos = fast.end()
                    continue
            pos = self.skip(_SKIP_BLANK, pos)
            if pos >= self.n:
                return
            if self.text[pos] == "[":
                table, pos = self.header(pos)
                below = self.everything_below(table)
            else:
                pos = self.key_value(pos, table)

    def header(self, start: int) -> tuple[Path, int]:
        is_array = self.text.startswith("[[", start)
        simple = _SIMPLE_HEADER.match(self.text, start)
        if simple is not None:
            parts = [part.strip() for part in simple.group(1).split(".")]
            pos = simple.end(1) + len(simple.group(2))
        else:
            parts, pos = self.key(start + (2 if is_array else 1))
        end = pos + (2 if is_array else 1)
        span = Span(start, end)
        if is_array:
            prefix = self.concrete(parts[:-1])
            base = (*prefix, parts[-1])
            count = self.array_tables.get(base, 0)
            self.array_tables[base] = count + 1
            self.record(base, span, span)
            path: Path = (*base, count)
        else:
            path = self.concrete(parts)
        self.record(path, span, span)
        return path, end

    def key_value(self, start: int, table: Path) -> int:
        simple = _SIMPLE_KEY.match(self.text, start)
        if simple is not None:
            parts, key_end, pos = [simple.group(1)], simple.end(1), simple.end()
            if not self.wanted((*table, parts[0])):
                fast = _SIMPLE_VALUE.match(self.text, pos)
                return fast.end() if fast is not None else self.skip_value(pos)
        else:
            parts, pos = self.key(start)
            key_end = start + len(self.text[start:pos].rstrip())
            pos = self.skip(_SKIP_SPACE, pos + 1)  # past "="
            if not self.wanted((*table, parts[0])):
                return self.skip_value(pos)
        key_span = Span(start, key_end)
        path = table
        for part in parts[:-1]:
            path = (*path, part)
            self.record(path, key_span, key_span)
        path = (*path, parts[-1])
        value_start = pos
        end = self.value(pos, path)
        self.record(path, key_span, Span(value_start, end))
        return end

    def value(self, pos: int, path: Path) -> int:
        """Scan one value starting at ``pos``; record nested entries; return its end offset."""
        text = self.text
        char = text[pos] if pos < self.n else ""
        if char == "[":
            return self.array(pos, path)
        if char == "{":
            return self.inline_table(pos, path)
        if text.startswith('"""', pos):
            return self.multiline(pos, '"""', escapes=True)
        if text.startswith("'''", pos):
            return self.multiline(pos, "'''", escapes=False)
        pattern = _BASIC_STRING if char == '"' else _LITERAL_STRING if char == "'" else _SCALAR
        match = pattern.match(text, pos)
        if match is None:
            raise ValueError(f"cannot scan value at offset {pos}")
        return match.end()

    def skip_value(self, pos: int) -> int:
        """Scan past a value nobody asked for: nothing below it is wanted, so nothing is
        recorded (a multi-megabyte spec's free tables and arrays cost one pass, no entries)."""
        text = self.text
        char = text[pos] if pos < self.n else ""
        if char and char in "[{":
            nested = _SKIP_NESTED.match(text, pos)
            if nested is not None:
                return nested.end()
        if char == "[":
            pos += 1
            while True:
                pos = self.skip(_SKIP_BLANK, pos)
                if pos >= self.n:
                    raise ValueError("unterminated array")
                if text[pos] == "]":
                    return pos + 1
                pos = self.skip(_SKIP_BLANK, self.skip_value(pos))
                if pos < self.n and text[pos] == ",":
                    pos += 1
        if char == "{":
            pos += 1
            while True:
                pos = self.skip(_SKIP_BLANK, pos)
                if pos >= self.n:
                    raise ValueError("unterminated inline table")
                if text[pos] == "}":
                    return pos + 1
                if text[pos] == ",":
                    pos += 1
                    continue
                _, pos = self.key(pos)
                pos = self.skip_value(self.skip(_SKIP_SPACE, pos + 1))  # past "="
        return self.value(pos, ())  # a string or scalar: value() records nothing for those

    def multiline(self, pos: int, quote: str, *, escapes: bool) -> int:
        search = pos + 3
        while True:
            found = self.text.find(quote, search)
            if found < 0:
                raise ValueError("unterminated multi-line string")
            backslashes = 0
            while escapes and self.text[found - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2 == 0:
                end = found + 3
                while end < self.n and end - found < 5 and self.text[end] == quote[0]:
                    end += 1
                return end
            search = found + 1

    def array(self, start: int, path: Path) -> int:
        pos = start + 1
        item = 0
        while True:
            pos = self.skip(_SKIP_BLANK, pos)
            if pos >= self.n:
                raise ValueError("unterminated array")
            if self.text[pos] == "]":
                return pos + 1
            element = (*path, item)
            end = self.value(pos, element)
            self.record(element, Span(pos, end), Span(pos, end))
            item += 1
            pos = self.skip(_SKIP_BLANK, end)
            if pos < self.n and self.text[pos] == ",":
                pos += 1

    def inline_table(self, start: int, path: Path) -> int:
        pos = start + 1
        while True:
            pos = self.skip(_SKIP_BLANK, pos)
            if pos >= self.n:
                raise ValueError("unterminated inline table")
            if self.text[pos] == "}":
                return pos + 1
            if self.text[pos] == ",":
                pos += 1
                continue
            pos = self.key_value(pos, path)


def build_index(text: str, roots: Iterable[Path] | None = None) -> PositionIndex:
    """Index a document that ``tomllib`` accepted. Never raises: a failed scan is partial.

    With ``roots``, only those paths, their ancestors and their descendants are recorded, and
    everything else is skipped with one regular expression per line: that keeps locating a
    handful of problems in a multi-megabyte file fast.
    """
    index = PositionIndex(text)
    try:
        _Scanner(text, index, roots).document()
    except (ValueError, IndexError, RecursionError):
        index.complete = False
    return index
