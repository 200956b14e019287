"""Strings built from parts: whether a URL keeps a host no request chose (no open redirect, no
SSRF), and what string methods leave out of their text."""

from __future__ import annotations

import ast
import re

from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import TV
from protosmith.analysis.taint.state import MISSING, State, const_eval

SAFE_PREFIX = re.compile(r"^(/[^/\\]|https?://[^/]+/)")
"""A URL built after this constant prefix keeps a fixed host (no open redirect, no SSRF)."""


def fixed_host(frame: Frame, parts: list[ast.expr]) -> bool:
    """Whether a URL built from ``parts`` has a host no request chose: it starts with a
    constant ``https://host/`` or ``/path``, or with a clean value (a base URL from a
    table or configuration) followed by ``/`` (``f"{base}/{quote(x)}"``)."""
    if SAFE_PREFIX.match(leading_text(frame.state, parts)):
        return True
    if len(parts) < 2:
        return False
    first, second = parts[0], parts[1]
    head = first.value if isinstance(first, ast.FormattedValue) else first
    return (
        isinstance(second, ast.Constant)
        and isinstance(second.value, str)
        and second.value.startswith("/")
        and not second.value.startswith("//")
        and not frame.value(head).tainted
        and const_eval(head, frame.state) is MISSING  # a constant was judged above
    )


def leading_text(state: State, parts: list[ast.expr]) -> str:
    """The constant text a string being built starts with (``f"{API_BASE}/users/{x}"`` →
    ``https://api.example.com/users/`` when ``API_BASE`` is a constant)."""
    text = ""
    for part in parts:
        if isinstance(part, ast.FormattedValue):
            plain = part.conversion == -1 and part.format_spec is None
            constant = const_eval(part.value, state) if plain else MISSING
        else:
            constant = const_eval(part, state)
        if not isinstance(constant, str):
            break
        text += constant
    return text


def string_method(func: ast.Attribute, node: ast.Call, short: str, result: TV) -> TV:
    """What a string method keeps from its text: ``"https://host/{}".format(x)`` keeps the
    host; ``u.replace("\\", "/")`` leaves no backslash to smuggle a host past a netloc check."""
    template = func.value
    text = template.value if isinstance(template, ast.Constant) else None
    if short == "format" and isinstance(text, str) and SAFE_PREFIX.match(text.split("{", 1)[0]):
        return result.sanitized(frozenset({"redirect", "ssrf"}))
    first = node.args[0] if node.args else None
    if short == "replace" and isinstance(first, ast.Constant) and first.value == "\\":
        return result.sanitized(frozenset({"slashes"}))
    if short == "replace" and isinstance(first, ast.Constant) and first.value in ("\n", "\r\n"):
        return result.sanitized(frozenset({"header"}))  # no line break left to split a header
    return result
