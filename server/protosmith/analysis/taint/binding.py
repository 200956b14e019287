"""Binding a value to a target: names, tuples, attributes (``self.x`` shared with the class's
other methods), subscripts; and what is remembered of the bound expression (a constant, a
list's items, a dict's entries, the kind of object)."""

from __future__ import annotations

import ast

import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.context import SECRET_NAME
from protosmith.analysis.taint.effects import store_item
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import RANDOM, TV
from protosmith.analysis.taint.objects import record_object
from protosmith.analysis.taint.reporting import report
from protosmith.analysis.taint.state import MISSING, const_eval, key_of

MUTABLE_DISPLAYS = (ast.List, ast.Dict, ast.Set)


def bind(frame: Frame, target: ast.expr, value: TV, source: ast.expr | None) -> None:
    """Assign ``value`` (the taint of ``source``, when one expression gives it) to ``target``."""
    state = frame.state
    if isinstance(target, ast.Name):
        state.forget(target.id)
        state.env[target.id] = value
        if source is not None:
            _remember(frame, target.id, source)
        if SECRET_NAME.search(target.id):
            report(frame, "weakrand", target, value, f"`{target.id}`", origin_kind=RANDOM)
    elif isinstance(target, (ast.Tuple, ast.List)):
        parts = (
            source.elts
            if isinstance(source, (ast.Tuple, ast.List)) and len(source.elts) == len(target.elts)
            else None
        )
        for index, element in enumerate(target.elts):
            part = parts[index] if parts is not None else None
            bind(frame, element, frame.value(part) if part is not None else value, part)
    elif isinstance(target, ast.Starred):
        bind(frame, target.value, value, None)
    elif isinstance(target, ast.Attribute):
        frame.value(target.value)
        key = key_of(target)
        if key:
            state.forget(key)
            state.env[key] = value
            if frame.owner and not frame.summary_mode and key.startswith("self."):
                frame.attributes[key] = value
            if frame.summary_mode and key.startswith("self."):
                frame.writes = frame.writes.join(value)
    elif isinstance(target, ast.Subscript):
        store_item(frame, target, value)


def bind_iteration(frame: Frame, target: ast.expr, iterable: ast.expr, value: TV) -> None:
    """Bind a loop variable: ``for k, v in d.items()`` gives ``k`` the taint of the keys
    only (``{"name": x}`` has clean keys), ``for k in d.keys()`` likewise."""
    func = iterable.func if isinstance(iterable, ast.Call) else None
    method = func.attr if isinstance(func, ast.Attribute) else ""
    if isinstance(iterable, ast.Name) and frame.state.objects.get(iterable.id) == "file":
        value = value.join(sources.origin_at(iterable, "file read", web=False))
    if method == "items" and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        bind(frame, target.elts[0], value.keys_part(), None)
        bind(frame, target.elts[1], value, None)
    else:
        bind(frame, target, value.keys_part() if method == "keys" else value, None)


def _remember(frame: Frame, name: str, source: ast.expr) -> None:
    state = frame.state
    constant = const_eval(source, state)
    if constant is not MISSING and not isinstance(source, MUTABLE_DISPLAYS):
        # A list, dict or set may be filled later (``clauses = []``, then ``append``): its
        # value here says nothing about ``if clauses`` further down.
        state.consts[name] = constant
    if isinstance(source, (ast.List, ast.Tuple)) and not any(
        isinstance(e, ast.Starred) for e in source.elts
    ):
        state.lists[name] = [frame.value(e) for e in source.elts]
        first = const_eval(source.elts[0], state) if source.elts else MISSING
        if first is not MISSING:
            state.consts[f"{name}[0]"] = first
    elif isinstance(source, ast.Dict):
        for key_node, item in zip(source.keys, source.values, strict=True):
            key = const_eval(key_node, state) if key_node is not None else MISSING
            if isinstance(key, (str, int)):
                state.env[f"{name}[{key!r}]"] = frame.value(item)
    record_object(frame, name, source)
