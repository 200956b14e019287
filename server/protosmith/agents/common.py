"""Small helpers the agents share: placeholder detection, folder names, test frameworks."""

from __future__ import annotations

import re

_PLACEHOLDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("TODO", re.compile(r"\bTODO\b")),
    ("FIXME", re.compile(r"\bFIXME\b")),
    ("placeholder text", re.compile(r"\bplaceholder\b|your code here|implement (?:me|this)", re.I)),
    ("'pass  # implement'", re.compile(r"\bpass\s*#\s*implement", re.I)),
    ("NotImplementedError", re.compile(r"\bNotImplementedError\b")),
    ("unimplemented!/todo! macro", re.compile(r"\b(?:unimplemented|todo)!\s*\(")),
    ("an '...' body", re.compile(r"^\s*\.\.\.\s*;?\s*$|:\s*\.\.\.\s*$|\{\s*\.\.\.\s*\}", re.M)),
)


_DOCSTRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|/\*[\s\S]*?\*/')
_LINE_COMMENT = re.compile(r"(?:^|\s)(?://|#).*$", re.M)


def _code_only(text: str) -> str:
    """``text`` without docstrings and comments: ``{...}`` in a doc comment is no stub body."""
    return _LINE_COMMENT.sub("", _DOCSTRING.sub("", text))


def find_placeholders(text: str) -> list[str]:
    """Names of the placeholder markers found in ``text`` (empty when the code is complete).

    Markers such as TODO count anywhere (they live in comments); an ``...`` body counts only
    in code, not in the documentation of an example.
    """
    code = _code_only(text)
    return [
        label
        for label, pattern in _PLACEHOLDERS
        if pattern.search(code if label == "an '...' body" else text)
    ]


def placeholder_problems(files: list[tuple[str, str]]) -> list[str]:
    """One message per file that still holds placeholder code."""
    problems = []
    for path, content in files:
        found = find_placeholders(content)
        if found:
            problems.append(f"{path} contains {', '.join(found)}; write the complete code")
    return problems


def slug(name: str) -> str:
    """A folder- and identifier-safe form of a component or project name."""
    value = re.sub(r"[^0-9a-zA-Z]+", "_", name.strip()).strip("_").lower()
    if not value:
        return "component"
    return value if not value[0].isdigit() else f"c_{value}"
