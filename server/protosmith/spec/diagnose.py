"""Turn pydantic validation errors into located PS1xx problems with human messages.

pydantic says *what* is wrong and at which data path; the position index says *where* that
path is written. This module decides which rule applies, which range to underline (the key
for an unknown key, the table header for a missing one, the value otherwise) and how to say
it to someone editing a TOML file rather than a Python object.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from protosmith import languages
from protosmith.spec import rules
from protosmith.spec.locate import Path, PositionIndex, Span, build_index
from protosmith.spec.model import KNOWN_LANGUAGES, DuplicateScenarioError, Spec

Located = tuple[str, str, Span]
"""(rule code, message, span) before conversion to line and column."""

_SECRET_KEY = re.compile(r"(api[_-]?key|apikey|secret|password|passwd|token|credential)s?$", re.I)
_EXPECTED = {
    "string_type": "text (a quoted string)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def toml_type(value: Any) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a float ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'a string ("{shown}")'
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def where(path: Path) -> str:
    """``scenarios[1].acceptance`` for a data path; ``the top level`` for the root."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "the top level"


def table_name(path: Path) -> str:
    """How a table is named in a message: ``[project]``, ``scenarios[1]``, ``the top level``."""
    if not path:
        return "the top level"
    if isinstance(path[-1], int):
        return where(path)
    return f"[{where(path)}]"


def data_path(loc: tuple[str | int, ...], data: Any) -> Path:
    """Drop pydantic's annotation segments (``function-after[...]``, union tags) from a location."""
    path: list[str | int] = []
    current = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str) and (part in current or last):
            path.append(part)
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
        elif isinstance(part, int) or last:
            path.append(part)
            current = None
    return tuple(path)


def model_at(path: Path) -> type[BaseModel] | None:
    """The pydantic model that validates the table at ``path`` (None for free tables)."""
    model: type[BaseModel] = Spec
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        candidates = [field.annotation, *get_args(field.annotation)]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return model


def value_at(data: Any, path: Path) -> Any:
    """The parsed value at ``path``, or None."""
    current = data
    for part in path:
        if isinstance(current, dict) and isinstance(part, str):
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        else:
            return None
    return current


def _repeated_names(data: Any) -> list[tuple[int, int]]:
    """(first index, repeated index) for every scenario whose name was used before."""
    scenarios = data.get("scenarios") if isinstance(data, dict) else None
    first: dict[str, int] = {}
    repeated: list[tuple[int, int]] = []
    for position, scenario in enumerate(scenarios if isinstance(scenarios, list) else []):
        name = scenario.get("name") if isinstance(scenario, dict) else None
        if isinstance(name, str):
            if name in first:
                repeated.append((first[name], position))
            else:
                first[name] = position
    return repeated


class Diagnoser:
    """Collects located problems for one parsed document."""

    def __init__(self, data: Any, text: str) -> None:
        self.data = data
        self.text = text
        self._index: PositionIndex | None = None
        self._roots: set[Path] = {("project", "output")}

    def want(self, errors: list[ErrorDetails]) -> None:
        """Name the paths to locate, so the index records only those (fast on huge files)."""
        for error in errors:
            self._roots.add(data_path(error["loc"], self.data))
        for first, second in _repeated_names(self.data):
            self._roots.update({("scenarios", first, "name"), ("scenarios", second, "name")})

    @property
    def index(self) -> PositionIndex:
        if self._index is None:
            self._index = build_index(self.text, self._roots)
        return self._index

    def key_span(self, path: Path) -> Span:
        entry = self.index.lookup(path)
        return entry.key if entry else self.container_span(path)

    def value_span(self, path: Path) -> Span:
        entry = self.index.lookup(path)
        if entry:
            return entry.value
        found = self.index.nearest(path)
        return found[1].value if found else self.index.first_line()

    def container_span(self, path: Path) -> Span:
        """The header (or key) of the table that contains ``path``."""
        found = self.index.nearest(path[:-1]) if path else None
        return found[1].key if found else self.index.first_line()

    def duplicates(self) -> list[Located]:
        """Every scenario whose name was already used, at the second occurrence's name."""
        found: list[Located] = []
        for first, position in _repeated_names(self.data):
            name = value_at(self.data, ("scenarios", position, "name"))
            earlier = self.index.lookup(("scenarios", first, "name"))
            line = self.index.position(earlier.value.start).line if earlier else 0
            also = f" (first defined on line {line})" if line else ""
            span = self.value_span(("scenarios", position, "name"))
            message = f"duplicate scenario name {name!r}{also}; scenario names must be unique"
            found.append((rules.DUPLICATE_SCENARIO, message, span))
        return found

    def from_error(self, error: ErrorDetails) -> list[Located]:
        """The problems one pydantic error stands for (usually one)."""
        kind = error["type"]
        path = data_path(error["loc"], self.data)
        if kind == "extra_forbidden":
            return [self._unknown_key(path)]
        if kind == "missing":
            return [self._missing(path)]
        if kind == "value_error":
            return self._value_error(path, error)
        if kind == "too_short" and self._is_acceptance(path):
            message = f"{where(path)} is empty; add at least one acceptance criterion"
            return [(rules.EMPTY_ACCEPTANCE, message, self.value_span(path))]
        return [(rules.INVALID_VALUE, self._invalid_message(path, error), self.value_span(path))]

    @staticmethod
    def _is_acceptance(path: Path) -> bool:
        return len(path) >= 3 and path[0] == "scenarios" and path[2] == "acceptance"

    def _unknown_key(self, path: Path) -> Located:
        key = str(path[-1])
        parent = path[:-1]
        span = self.key_span(path)
        if len(path) > 1 and key in Spec.model_fields and model_at(parent) is not None:
            message = (
                f"'{key}' is a top-level key, but here TOML reads it as part of "
                f"{table_name(parent)} because it comes after that table's header; "
                f"move it above the first [table] of the file"
            )
            return (rules.MISPLACED_KEY, message, span)
        if _SECRET_KEY.search(key):
            message = (
                f"'{key}' looks like a credential; never put secrets in the spec: export it in "
                f"an environment variable and name that variable with [llm] api_key_env"
            )
            return (rules.SECRET_IN_SPEC, message, span)
        model = model_at(parent)
        known = sorted(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
        return (rules.UNKNOWN_KEY, f"unknown key '{key}' in {table_name(parent)}{hint}", span)

    def _missing(self, path: Path) -> Located:
        key = str(path[-1])
        parent = path[:-1]
        span = self.container_span(path)
        if path == ("project",):
            message = 'missing required table [project] (with at least name = "...")'
        elif path == ("scenarios",):
            message = (
                "missing required [[scenarios]]: add at least one scenario with name and acceptance"
            )
        else:
            name = value_at(self.data, (*parent, "name"))
            label = f" (scenario {name!r})" if parent[:1] == ("scenarios",) and name else ""
            message = f"{table_name(parent)}{label} is missing required key '{key}'"
        return (rules.MISSING_KEY, message, span)

    def _value_error(self, path: Path, error: ErrorDetails) -> list[Located]:
        cause = (error.get("ctx") or {}).get("error")
        reason = str(cause) if cause is not None else error["msg"]
        if isinstance(cause, DuplicateScenarioError):
            return []  # reported by duplicates(), which sees every repetition
        if path == ("project", "output"):
            return [(rules.OUTPUT_ESCAPES, f"project.output: {reason}", self.value_span(path))]
        if path == ("project", "languages"):
            return self._languages(path) or [
                (rules.UNKNOWN_LANGUAGE, reason, self.value_span(path))
            ]
        if self._is_acceptance(path):
            items = value_at(self.data, path)
            blank = [
                (
                    rules.EMPTY_ACCEPTANCE,
                    f"{where((*path, i))} is blank",
                    self.value_span((*path, i)),
                )
                for i, item in enumerate(items if isinstance(items, list) else [])
                if isinstance(item, str) and not item.strip()
            ]
            return blank or [(rules.EMPTY_ACCEPTANCE, reason, self.value_span(path))]
        return [(rules.INVALID_VALUE, f"{where(path)}: {reason}", self.value_span(path))]

    def _languages(self, path: Path) -> list[Located]:
        values = value_at(self.data, path)
        found: list[Located] = []
        known = ", ".join(sorted(KNOWN_LANGUAGES))
        for position, value in enumerate(values if isinstance(values, list) else []):
            if not isinstance(value, str) or value.strip().lower() in KNOWN_LANGUAGES:
                continue
            lowered = value.strip().lower()
            guess = languages.ALIASES.get(lowered) or next(
                iter(difflib.get_close_matches(lowered, sorted(KNOWN_LANGUAGES), n=1)), None
            )
            hint = f"; did you mean '{guess}'?" if guess else f"; known: {known}"
            span = self.value_span((*path, position))
            found.append((rules.UNKNOWN_LANGUAGE, f"unknown language {value!r}{hint}", span))
        return found

    def _invalid_message(self, path: Path, error: ErrorDetails) -> str:
        kind = error["type"]
        given = toml_type(error.get("input"))
        if path == ("scenarios",) and kind == "list_type":
            return f"scenarios must be an array of tables ([[scenarios]]), not {given}"
        if path == ("scenarios",) and kind == "too_short":
            return "at least one [[scenarios]] entry is required"
        if kind == "too_short":
            return f"{where(path)} must not be empty"
        if kind in _EXPECTED:
            return f"{where(path)} must be {_EXPECTED[kind]}, not {given}"
        if kind == "enum":
            expected = (error.get("ctx") or {}).get("expected", "")
            value = error.get("input")
            shown = f'"{value}"' if isinstance(value, str) else given
            return f"{where(path)} must be one of {expected}, not {shown}"
        message = error["msg"]
        return f"{where(path)}: {message[:1].lower()}{message[1:]}"
