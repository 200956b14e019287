"""A branch's state: what its condition proves (``guards.py``) applied to the values it tests
(``if x in ALLOWED``, ``ok = is_safe_url(u)`` then ``if ok``)."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.guards import guard_facts
from protosmith.analysis.taint.state import State, key_of


def _held_checks(frame: Frame, test: ast.expr, truthy: bool) -> ast.expr:
    """``test`` with each operand that is a name holding a check's result replaced by that
    check (``ok = url_has_allowed_host_and_scheme(url, ...)``, then ``if ok and ...``), when
    the name is assigned once in this function; or, where the name is known ``truthy``, when
    its other assignments are ``False`` (``inside = commonpath(...) == root``, ``False`` in
    the ``except``): only the check can have made it true."""
    if frame.scope is None:
        return test
    if isinstance(test, ast.Name):
        values = frame.ctx.assignments_in(frame.scope).get(test.id, [])
        checks = [v for v in values if isinstance(v, (ast.Call, ast.Compare))]
        false = [v for v in values if isinstance(v, ast.Constant) and v.value is False]
        single = len(checks) == 1 and len(values) == 1 + (len(false) if truthy else 0)
        return checks[0] if single else test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        operand = _held_checks(frame, test.operand, not truthy)
        return test if operand is test.operand else ast.UnaryOp(op=ast.Not(), operand=operand)
    if isinstance(test, ast.BoolOp):
        values = [_held_checks(frame, v, truthy) for v in test.values]
        changed = any(a is not b for a, b in zip(values, test.values, strict=True))
        return ast.BoolOp(op=test.op, values=values) if changed else test
    return test


@dataclass(frozen=True)
class _Scoped:
    """The module as the guards see it from inside one function (``guards.Module``)."""

    ctx: ModuleContext
    scope: ast.AST | None

    @property
    def functions(self) -> Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        return self.ctx.functions

    def module_value(self, name: str) -> ast.expr | None:
        return self.ctx.module_value(name)

    def assigned(self, name: str) -> list[ast.expr]:
        if self.scope is None:
            value = self.ctx.module_value(name)
            return [] if value is None else [value]
        return self.ctx.assignments_in(self.scope).get(name, [])


def _renderings(frame: Frame, targets: Sequence[ast.expr]) -> list[ast.expr]:
    """Names holding only ``str(x)`` (or ``os.fspath(x)``) of a checked name ``x`` that is
    itself bound once: the same path as text (``name = str(p)`` before ``if p.parent != root``)."""
    if frame.scope is None:
        return []
    assigned = frame.ctx.assignments_in(frame.scope)
    checked = {
        t.id for t in targets if isinstance(t, ast.Name) and len(assigned.get(t.id, [])) == 1
    }
    found: list[ast.expr] = []
    for name, values in assigned.items():
        value = values[0] if len(values) == 1 else None
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, (ast.Name, ast.Attribute))
            and ast.unparse(value.func) in ("str", "os.fspath")
            and len(value.args) == 1
            and isinstance(value.args[0], ast.Name)
            and value.args[0].id in checked
        ):
            found.append(ast.Name(id=name, ctx=ast.Load()))
    return found


def refined(frame: Frame, state: State, test: ast.expr, positive: bool) -> State:
    """A copy of ``state`` with what ``test`` being ``positive`` proves applied."""
    result = state.copy()
    test = _held_checks(frame, test, positive)
    for subject, kinds in guard_facts(test, positive, _Scoped(frame.ctx, frame.scope)):
        targets = (
            [subject]
            if key_of(subject)
            else [n for n in ast.walk(subject) if isinstance(n, ast.Name)]
        )
        for target in [*targets, *_renderings(frame, targets)]:
            key = key_of(target)
            if key and key not in result.env and isinstance(target, ast.Attribute):
                # ``parts.hostname in ALLOWED``: the checked field of a tainted object
                result.env[key] = frame.value(target)
            if key and key in result.env:
                result.env[key] = result.env[key].sanitized(kinds)
                if kinds and isinstance(target, ast.Name):
                    for entry in [k for k in result.env if k.startswith(key + "[")]:
                        result.env[entry] = result.env[entry].sanitized(kinds)
    return result
