"""Expression evaluation over the taint lattice: how values (and their taint) are built.

``value`` is the one evaluator; each expression type has a plain function here, calls have
theirs in ``calls.py``. Everything that evaluates a sub-expression does it through the frame
(``Frame.value``), which ``engine.py`` wires to ``value``."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.binding import bind, bind_iteration
from protosmith.analysis.taint.calls import call_value
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import CLEAN, KEYS, TV, join_all
from protosmith.analysis.taint.objects import is_markup
from protosmith.analysis.taint.refine import refined
from protosmith.analysis.taint.reporting import secret_result
from protosmith.analysis.taint.request import request_root
from protosmith.analysis.taint.state import MISSING, const_eval, key_of
from protosmith.analysis.taint.strings import SAFE_PREFIX, fixed_host


def value(frame: Frame, node: ast.expr) -> TV:
    """Taint of ``node``; calls inside it are checked against sinks as a side effect."""
    handler = _EXPRESSIONS.get(type(node))
    if handler is not None:
        return handler(frame, node)
    return join_all(
        [frame.value(child) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]
    )


def _constant(frame: Frame, node: ast.Constant) -> TV:
    return CLEAN


def _name(frame: Frame, node: ast.Name) -> TV:
    if node.id in frame.state.env:
        return frame.state.env[node.id]
    if node.id in frame.request_names:
        return sources.origin_at(node, node.id)
    return frame.ctx.globals.get(node.id, CLEAN)


def _attribute(frame: Frame, node: ast.Attribute) -> TV:
    root = request_root(frame, node)
    if root:
        if root == "clean":
            return CLEAN
        result = sources.origin_at(node, sources.describe(node))
        if node.attr in sources.OWN_URL_ATTRS:  # the request's own URL: same host
            result = result.sanitized(frozenset({"redirect"}))
        return result
    qname = frame.ctx.qualify(node)
    if qname in sources.ATTR_SOURCES:
        return sources.origin_at(node, sources.ATTR_SOURCES[qname], web=False)
    key = key_of(node)
    if key is not None and key in frame.state.env:
        return frame.state.env[key]
    if node.attr in ("cleaned_data", "validated_data"):  # a Django form's, a DRF serializer's
        return frame.value(node.value).sanitized(frozenset({"trustbound"}))
    if frame.owner and key is not None and key.startswith("self."):
        shared = frame.ctx.attributes.get(f"{frame.owner}.{key.removeprefix('self.')}")
        if shared is not None:
            return shared
    return frame.value(node.value)


def _subscript(frame: Frame, node: ast.Subscript) -> TV:
    root = request_root(frame, node)
    if root:
        return CLEAN if root == "clean" else sources.origin_at(node, sources.describe(node))
    key = key_of(node)
    if key is not None and key in frame.state.env:
        return frame.state.env[key]
    base = node.value
    if isinstance(base, ast.Name) and base.id in frame.state.lists:
        index = const_eval(node.slice, frame.state)
        items = frame.state.lists[base.id]
        if isinstance(index, int) and -len(items) <= index < len(items):
            return items[index]
    if isinstance(node.slice, ast.Slice):
        frame.value(node.slice)
    return frame.value(base)


def _joined_str(frame: Frame, node: ast.JoinedStr) -> TV:
    result = join_all(
        [frame.value(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
    )
    if result.tainted and fixed_host(frame, node.values):
        result = result.sanitized(frozenset({"redirect", "ssrf"}))
    return result


def _bin_op(frame: Frame, node: ast.BinOp) -> TV:
    if isinstance(node.op, ast.Mod) and is_markup(frame.ctx, node.left):  # Markup("<b>%s</b>") % x
        return frame.value(node.left).join(frame.value(node.right).sanitized(frozenset({"xss"})))
    result = frame.value(node.left).join(frame.value(node.right))
    if not result.tainted:
        return result
    if isinstance(node.op, ast.Mod):  # "https://host/%s" % x keeps the host
        template = const_eval(node.left, frame.state)
        fixed = isinstance(template, str) and SAFE_PREFIX.match(template.split("%", 1)[0])
        return result.sanitized(frozenset({"redirect", "ssrf"})) if fixed else result
    parts: list[ast.expr] = []
    current: ast.expr = node
    while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
        parts.insert(0, current.right)
        current = current.left
    parts.insert(0, current)
    if fixed_host(frame, parts):
        result = result.sanitized(frozenset({"redirect", "ssrf"}))
    return result


def _compare(frame: Frame, node: ast.Compare) -> TV:
    frame.value(node.left)
    for comparator in node.comparators:
        frame.value(comparator)
    return CLEAN


def _unary_op(frame: Frame, node: ast.UnaryOp) -> TV:
    operand = frame.value(node.operand)
    return CLEAN if isinstance(node.op, ast.Not) else operand


def _if_exp(frame: Frame, node: ast.IfExp) -> TV:
    test = const_eval(node.test, frame.state)
    if test is not MISSING:
        return frame.value(node.body if test else node.orelse)
    frame.value(node.test)
    before = frame.state
    try:  # ``code if code in SUPPORTED else None``: each side under what the test proves
        frame.state = refined(frame, before, node.test, True)
        body = frame.value(node.body)
        frame.state = refined(frame, before, node.test, False)
        return body.join(frame.value(node.orelse))
    finally:
        frame.state = before


def _lambda(frame: Frame, node: ast.Lambda) -> TV:
    return CLEAN


def _dict(frame: Frame, node: ast.Dict) -> TV:
    values = join_all([frame.value(v) for v in node.values])
    if all(isinstance(k, ast.Constant) for k in node.keys):
        return values.sanitized(frozenset({KEYS}))  # its keys are the literal ones
    return values


def _comprehension(
    frame: Frame, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
) -> TV:
    saved = frame.state
    frame.state = saved.copy()
    for generator in node.generators:
        bind_iteration(frame, generator.target, generator.iter, frame.value(generator.iter))
        for condition in generator.ifs:  # ``[c for c in cols if c in ALLOWED]``
            frame.value(condition)
            frame.state = refined(frame, frame.state, condition, True)
    if isinstance(node, ast.DictComp):
        keys = frame.value(node.key)
        result = keys.join(frame.value(node.value).sanitized(frozenset({KEYS})))
    else:
        result = frame.value(node.elt)
    frame.state = saved
    return result


def _named_expr(frame: Frame, node: ast.NamedExpr) -> TV:
    result = frame.value(node.value)
    bind(frame, node.target, result, node.value)
    return result


def _yield(frame: Frame, node: ast.Yield) -> TV:
    """A generator's values are its results, as a function's return value is."""
    if node.value is not None:
        result = frame.value(node.value)
        frame.returns.append(result)
        secret_result(frame, node, result, "values")
    return CLEAN


_EXPRESSIONS: dict[type[ast.expr], Callable[[Frame, Any], TV]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.Attribute: _attribute,
    ast.Subscript: _subscript,
    ast.JoinedStr: _joined_str,
    ast.BinOp: _bin_op,
    ast.Compare: _compare,
    ast.UnaryOp: _unary_op,
    ast.IfExp: _if_exp,
    ast.Lambda: _lambda,
    ast.Dict: _dict,
    ast.ListComp: _comprehension,
    ast.SetComp: _comprehension,
    ast.GeneratorExp: _comprehension,
    ast.DictComp: _comprehension,
    ast.NamedExpr: _named_expr,
    ast.Yield: _yield,
    ast.Call: call_value,
}
"""The expression types evaluated by a rule of their own; any other joins its children."""
