"""Write a :class:`Spec` back to TOML (``protosmith init``), in the order people read a spec.

The standard library parses TOML but cannot write it. This writer covers exactly the value
types a spec holds (text, numbers, booleans, dates, arrays, free tables) and quotes every
string so that ``tomllib.loads(dumps(spec))`` validates to the same spec.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from protosmith.spec.model import Spec

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_WRAP_AT = 88


def quote(text: str) -> str:
    """A TOML basic string; control characters and DEL are escaped, everything else kept."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append("\ufffd")  # a lone surrogate cannot be written as UTF-8
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def key(name: str) -> str:
    """A bare key when possible, a quoted one otherwise."""
    return name if _BARE_KEY.fullmatch(name) else quote(name)


def value(item: Any) -> str:
    """One TOML value; nested tables inside arrays or free tables become inline tables."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if math.isnan(item):
            return "nan"
        if math.isinf(item):
            return "inf" if item > 0 else "-inf"
        return repr(item)
    if isinstance(item, str):
        return quote(item)
    if isinstance(item, dt.datetime | dt.date | dt.time):
        return item.isoformat()
    if isinstance(item, Mapping):
        inner = ", ".join(f"{key(str(k))} = {value(v)}" for k, v in item.items() if v is not None)
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(item, list | tuple):
        parts = [value(v) for v in item]
        flat = "[" + ", ".join(parts) + "]"
        if len(flat) <= _WRAP_AT and "\n" not in flat:
            return flat
        return "[\n" + "".join(f"    {part},\n" for part in parts) + "]"
    raise TypeError(f"cannot write {type(item).__name__} as TOML")


def _table(lines: list[str], header: str, items: Mapping[str, Any]) -> None:
    if lines:
        lines.append("")
    lines.append(header)
    lines.extend(f"{key(name)} = {value(item)}" for name, item in items.items() if item is not None)


def dumps(spec: Spec) -> str:
    """The spec as TOML: goals first (they must precede every table), then the tables."""
    data = spec.model_dump(exclude_none=True)  # python mode keeps inf, nan and dates
    defaults = Spec.model_construct().model_dump(exclude_none=True)
    lines: list[str] = []
    if data["goals"]:
        lines.append(f"goals = {value(data['goals'])}")
    _table(lines, "[project]", data["project"])
    for name in ("context",):
        if data[name]:
            _table(lines, f"[{name}]", data[name])
    for scenario in data["scenarios"]:
        _table(lines, "[[scenarios]]", scenario)
    for name in ("architecture", "conventions", "llm", "budget"):
        if data[name] and data[name] != defaults.get(name):
            _table(lines, f"[{name}]", data[name])
    return "\n".join(lines) + "\n"
