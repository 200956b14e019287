"""Python 3.12 f-strings (PEP 701) read by an older parser.

Since 3.12 an f-string's replacement field may reuse the outer quote
(``f'{d['key']}'``); the 3.11 parser rejects the whole module, so a valid file would
get no security review at all and a false syntax error. Such nested strings are
re-quoted in place (``f'{d["key"]}'``): same length, so every line and column the
analysis reports still points into the original text.
"""

from __future__ import annotations

import ast
import sys

QUOTES = ("'", '"')
PREFIX_LETTERS = frozenset("rRbBuUfF")


class _Unfixable(Exception):
    """The text uses a 3.12 form that cannot be re-quoted without moving columns."""


def parse_module(text: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse``; where only 3.12 f-string quoting makes it fail on an older
    interpreter, the re-quoted text is parsed instead (positions are unchanged)."""
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as error:
        requoted = requote_fstrings(text) if sys.version_info < (3, 12) else None
        if requoted is None or requoted == text:
            raise
        try:
            return ast.parse(requoted, filename=filename)
        except SyntaxError:
            raise error from None


def requote_fstrings(text: str) -> str | None:
    """``text`` with strings nested in f-string fields re-quoted so they do not reuse an
    enclosing quote; ``None`` where that is impossible (the other quote occurs inside)."""
    try:
        return _Requoter(text).run()
    except (_Unfixable, IndexError):
        return None


class _Requoter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = list(text)

    def run(self) -> str:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "#":
                end = text.find("\n", i)
                i = len(text) if end < 0 else end
            elif self._string_start(i) is not None:
                i = self._string(i, ())
            elif char.isidentifier():
                while i < len(text) and (text[i].isalnum() or text[i] == "_"):
                    i += 1
            else:
                i += 1
        return "".join(self.out)

    def _string_start(self, i: int) -> tuple[str, int] | None:
        """``(prefix, quote index)`` where a string literal starts at ``i``."""
        text = self.text
        if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
            return None
        j = i
        while j < len(text) and j - i < 3 and text[j] in PREFIX_LETTERS:
            j += 1
        if j < len(text) and text[j] in QUOTES:
            return text[i:j], j
        return None

    def _string(self, i: int, enclosing: tuple[str, ...]) -> int:
        """Scan the literal at ``i``; returns the index after it. A quote char already used by
        an enclosing f-string is swapped for the other one."""
        start = self._string_start(i)
        assert start is not None
        prefix, q = start
        char = self.text[q]
        delimiter = char * 3 if self.text.startswith(char * 3, q) else char
        new = char
        if char in enclosing:
            new = QUOTES[1 - QUOTES.index(char)]
            if new in enclosing:
                raise _Unfixable
        body = q + len(delimiter)
        inner = (*enclosing, new)
        if "f" in prefix.lower():
            end = self._literal(body, delimiter, inner, in_spec=False)
        else:
            end = self._plain(body, delimiter)
        if new != char:
            content = "".join(self.out[body : end - len(delimiter)])
            if new in content.replace("\\" + new, ""):
                raise _Unfixable
            for k in (*range(q, body), *range(end - len(delimiter), end)):
                self.out[k] = new
        return end

    def _plain(self, j: int, delimiter: str) -> int:
        text = self.text
        while not text.startswith(delimiter, j):
            if text[j] == "\\":
                j += 1
            elif text[j] == "\n" and len(delimiter) == 1:
                raise _Unfixable
            j += 1
        return j + len(delimiter)

    def _literal(self, j: int, delimiter: str, enclosing: tuple[str, ...], in_spec: bool) -> int:
        """The literal part of an f-string (or of a format spec, which ends at ``}``)."""
        text = self.text
        while True:
            if in_spec and text[j] == "}":
                return j + 1
            if not in_spec and text.startswith(delimiter, j):
                return j + len(delimiter)
            if text[j] == "\\" or (text.startswith("{{", j) and not in_spec):
                j += 2  # an escape, or a literal brace
            elif text[j] == "{":
                j = self._field(j + 1, delimiter, enclosing)
            elif text[j] == "\n" and len(delimiter) == 1:
                raise _Unfixable
            else:
                j += 1

    def _field(self, j: int, delimiter: str, enclosing: tuple[str, ...]) -> int:
        """A replacement field's expression, conversion and format spec; after its ``}``."""
        text, depth = self.text, 0
        while True:
            char = text[j]
            if self._string_start(j) is not None:
                j = self._string(j, enclosing)
                continue
            if char in "([{":
                depth += 1
            elif char in ")]":
                depth -= 1
            elif char == "}":
                if depth == 0:
                    return j + 1
                depth -= 1
            elif char == ":" and depth == 0:
                return self._literal(j + 1, delimiter, enclosing, in_spec=True)
            elif char in "#\\":
                raise _Unfixable
            j += 1
