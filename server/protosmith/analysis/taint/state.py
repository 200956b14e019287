"""Per-program-point dataflow state: taint of names, keyed container entries, lists, constants."""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field
from typing import Any

from protosmith.analysis.taint.model import TV

MISSING: Any = object()
"""Marker for 'not a known constant'."""


@dataclass
class State:
    """Taint of variables (``x``), attributes (``x.y``) and keyed entries (``x['k']``)."""

    env: dict[str, TV] = field(default_factory=dict)
    lists: dict[str, list[TV]] = field(default_factory=dict)
    consts: dict[str, object] = field(default_factory=dict)
    parsers: dict[str, str] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)
    """What some names hold: ``xml`` (a parsed XML tree), ``http`` (an HTTP client session) or
    ``file`` (an open file)."""

    def copy(self) -> State:
        return State(
            dict(self.env),
            {k: list(v) for k, v in self.lists.items()},
            dict(self.consts),
            dict(self.parsers),
            dict(self.objects),
        )

    def join(self, other: State) -> State:
        """Merge two control-flow paths."""
        env = {
            k: self.env.get(k, TV()).join(other.env.get(k, TV()))
            for k in self.env.keys() | other.env.keys()
        }
        lists = {
            k: [a.join(b) for a, b in zip(v, other.lists[k], strict=True)]
            for k, v in self.lists.items()
            if k in other.lists and len(other.lists[k]) == len(v)
        }
        consts = {
            k: v for k, v in self.consts.items() if k in other.consts and other.consts[k] == v
        }
        parsers = dict(self.parsers)
        for key, value in other.parsers.items():
            if parsers.get(key) != "xxe":
                parsers[key] = value
        return State(env, lists, consts, parsers, {**self.objects, **other.objects})

    def forget(self, name: str) -> None:
        """Drop everything known about ``name`` before it is rebound."""
        prefixes = (name + "[", name + ".")
        for key in [k for k in self.env if k.startswith(prefixes)]:
            del self.env[key]
        self.lists.pop(name, None)
        self.consts.pop(name, None)
        self.parsers.pop(name, None)
        self.objects.pop(name, None)


def join_states(states: list[State | None]) -> State | None:
    """Join of the live states; None when every path ended."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    result = live[0]
    for state in live[1:]:
        result = result.join(state)
    return result


def key_of(node: ast.expr) -> str | None:
    """A stable key for a name, dotted attribute or constant-keyed subscript; None otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = key_of(node.value)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Subscript):
        base = key_of(node.value)
        index = node.slice
        if base and isinstance(index, ast.Constant) and isinstance(index.value, (str, int)):
            return f"{base}[{index.value!r}]"
    return None


_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Div: operator.truediv,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def const_eval(node: ast.expr | None, state: State) -> object:
    """Fold constant expressions (the dead-branch tricks of benchmark code); MISSING if unknown."""
    if node is None:
        return MISSING
    try:
        return _const(node, state)
    except (
        TypeError,
        ValueError,
        ZeroDivisionError,
        IndexError,
        KeyError,
        OverflowError,
        AttributeError,
    ):
        return MISSING


def _const(node: ast.expr, state: State) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return state.consts.get(node.id, MISSING)
    if isinstance(node, ast.JoinedStr):  # an f-string without fields is a literal
        texts = [str(v.value) for v in node.values if isinstance(v, ast.Constant)]
        return "".join(texts) if len(texts) == len(node.values) else MISSING
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _const(node.left, state), _const(node.right, state)
        if left is MISSING or right is MISSING:
            return MISSING
        if isinstance(left, str) and isinstance(node.op, ast.Mod):
            return MISSING
        if isinstance(left, (str, list)) and isinstance(right, int) and right > 10000:
            return MISSING
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _const(node.operand, state)
        if value is MISSING:
            return MISSING
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub):
            return -value  # type: ignore[operator]
        return MISSING
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
        left, right = _const(node.left, state), _const(node.comparators[0], state)
        if left is MISSING or right is MISSING:
            return MISSING
        return _CMPOPS[type(node.ops[0])](left, right)
    if isinstance(node, ast.BoolOp):
        values = [_const(v, state) for v in node.values]
        if any(v is MISSING for v in values):
            return MISSING
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Subscript):
        base = _const(node.value, state)
        if not isinstance(base, (str, tuple)):
            return MISSING
        index = node.slice
        if isinstance(index, ast.Slice):
            parts = [
                _const(p, state) if p is not None else None
                for p in (index.lower, index.upper, index.step)
            ]
            if any(p is MISSING for p in parts):
                return MISSING
            return base[slice(*parts)]  # type: ignore[arg-type]
        key = _const(index, state)
        return MISSING if key is MISSING else base[key]  # type: ignore[index,call-overload]
    if isinstance(node, (ast.Tuple, ast.List)):
        values = [_const(e, state) for e in node.elts]
        return MISSING if any(v is MISSING for v in values) else tuple(values)
    return MISSING
