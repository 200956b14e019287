"""Structured test cases rendered into a pytest file.

A 270M model cannot write a test module that parses and imports the right names, but it can
copy an acceptance criterion into "call ``greet('Ada')``, expect ``'Hello, Ada!'``". We check
each case as Python expressions and write the file ourselves, so what runs is always a valid
test of the real interface.
"""

from __future__ import annotations

import builtins
import re

from protosmith.agents.common import slug
from protosmith.agents.models import CallCase, CallCases, GeneratedFile

_CALLEE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)")
_CALL = re.compile(r"^\s*[A-Za-z_][\w.]*\s*\(")
_EXCEPTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _expression_problem(label: str, text: str) -> str:
    """Why ``text`` is not one Python expression ('' when it is); bytecode, not ast (see
    :mod:`protosmith.agents.validation`)."""
    try:
        compile(text, label, "eval", dont_inherit=True)
    except SyntaxError as error:
        return f"{label} `{text}` is not a Python expression: {error.msg}"
    except ValueError as error:
        return f"{label} `{text}` is not a Python expression: {error}"
    return ""


def case_problems(cases: CallCases) -> list[str]:
    """Why the cases cannot be rendered; empty when every case is a checkable call."""
    problems: list[str] = []
    for number, case in enumerate(cases.cases, 1):
        where = f"case {number}"
        problem = _expression_problem(f"{where} call", case.call.strip())
        if problem:
            problems.append(problem)
        if not _CALL.match(case.call):
            problems.append(f"{where}: call must start with the name it calls, e.g. greet('Ada')")
        raises, expected = case.raises.strip(), case.expected.strip()
        if raises and not _EXCEPTION.match(raises):
            problems.append(f"{where}: raises `{raises}` is not an exception name")
        if not raises and not expected:
            problems.append(f"{where}: give the expected value or the exception it raises")
    return problems


def expected_source(expected: str) -> str:
    """``expected`` as Python source; text that is no expression is taken as a string (a
    tiny model writes ``Hello, Ada!`` for ``'Hello, Ada!'``)."""
    text = expected.strip()
    if not _expression_problem("expected", text):
        return text
    return repr(text.strip("'\""))


_RETURNS = re.compile(
    r"^\s*`?(?P<call>[A-Za-z_][\w.]*\(.*\))`?\s+(?:returns|gives|equals|==)\s+`?(?P<value>.+?)`?\s*\.?\s*$"
)
_RAISES = re.compile(
    r"^\s*`?(?P<call>[A-Za-z_][\w.]*\(.*\))`?\s+(?:raises|is rejected with)\s+`?(?P<exc>[A-Za-z_][\w.]*)`?"
)


def parse_criterion(criterion: str) -> CallCase | None:
    """A criterion already written as ``CALL returns VALUE`` or ``CALL raises ERROR`` is a case
    as it stands; the model is asked only about the others."""
    match = _RETURNS.match(criterion)
    if match:
        case = CallCase(criterion=criterion, call=match["call"], expected=match["value"], raises="")
    elif match := _RAISES.match(criterion):
        case = CallCase(criterion=criterion, call=match["call"], expected="", raises=match["exc"])
    else:
        return None
    return None if case_problems(CallCases(cases=[case])) else case


def _names(cases: list[CallCase]) -> list[str]:
    """Unique test function names from the cases' names (or their calls)."""
    seen: set[str] = set()
    names = []
    for case in cases:
        base = slug(case.criterion or case.call)[:50].strip("_") or "case"
        name, suffix = f"test_{base}", 2
        while name in seen:
            name, suffix = f"test_{base}_{suffix}", suffix + 1
        seen.add(name)
        names.append(name)
    return names


def _imported(cases: list[CallCase]) -> list[str]:
    """What the test module imports from the component: callees and non-builtin exceptions."""
    wanted: set[str] = set()
    for case in cases:
        match = _CALLEE.match(case.call)
        if match and not hasattr(builtins, match.group(1)):
            wanted.add(match.group(1))
        root = case.raises.strip().split(".", 1)[0]
        if root and not hasattr(builtins, root):
            wanted.add(root)
    return sorted(wanted)


def render_pytest(cases: CallCases, module: str, path: str) -> GeneratedFile:
    """The pytest module for ``cases`` against the package ``module``, at ``path``."""
    names = _names(cases.cases)
    lines = [f'"""Tests of {module}, rendered by protosmith from its acceptance criteria."""', ""]
    lines += [f"# not tested (no valid case): {' '.join(item.split())}" for item in cases.untested]
    if cases.untested:
        lines.append("")
    imported = _imported(cases.cases)
    if any(case.raises.strip() for case in cases.cases):
        lines.append("import pytest")
        lines.append("")
    if imported:
        lines.append(f"from {module} import {', '.join(imported)}")
    for name, case in zip(names, cases.cases, strict=True):
        lines += ["", ""]
        lines.append(f"def {name}():")
        if case.criterion:
            lines.append(f"    # {' '.join(case.criterion.split())}")
        call = case.call.strip()
        if case.raises.strip():
            lines.append(f"    with pytest.raises({case.raises.strip()}):")
            lines.append(f"        {call}")
        else:
            lines.append(f"    assert {call} == {expected_source(case.expected)}")
    return GeneratedFile(path=path, content="\n".join(lines) + "\n")


def case_test_names(cases: CallCases) -> list[str]:
    """The test functions :func:`render_pytest` writes, in order (for traces)."""
    return _names(cases.cases)
