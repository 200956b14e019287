"""The statement walker: one block after another over the taint lattice, branches joined, loops
run to a fixed point of two passes, ``break``/``continue``/``return`` ending their paths."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from protosmith.analysis.taint.binding import bind, bind_iteration
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import CLEAN, TV
from protosmith.analysis.taint.refine import refined
from protosmith.analysis.taint.reporting import report, secret_result
from protosmith.analysis.taint.state import MISSING, State, const_eval, join_states
from protosmith.analysis.taint.strings import SAFE_PREFIX

TERMINATORS = frozenset({"abort", "sys.exit", "exit", "os._exit", "flask.abort", "quit"})


def run(frame: Frame, body: list[ast.stmt]) -> State | None:
    """Analyze a block; None when every path through it ends (return, raise, abort)."""
    state: State | None = frame.state
    for node in body:
        if state is None:
            return None
        frame.state = state
        frame.budget -= 1
        if frame.budget < 0:
            return state
        state = statement(frame, node)
    return state


def statement(frame: Frame, node: ast.stmt) -> State | None:
    """The state after ``node`` (None when no path goes on past it)."""
    handler = _STATEMENTS.get(type(node))
    if handler is not None:
        return handler(frame, node)
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            frame.value(child)
    return frame.state


def _definition(frame: Frame, node: ast.stmt) -> State | None:
    """Definitions and imports change no taint (functions are analyzed on their own)."""
    return frame.state


def _expr(frame: Frame, node: ast.Expr) -> State | None:
    frame.value(node.value)
    frame.state = _raised_unless(frame, node.value)
    if (
        isinstance(node.value, ast.Call)
        and (frame.ctx.qualify(node.value.func) or "") in TERMINATORS
    ):
        return None
    return frame.state


def _raised_unless(frame: Frame, value: ast.expr) -> State:
    """``p.relative_to(root)`` raises ``ValueError`` unless ``p`` is inside ``root``: past it,
    ``p`` is as checked as by ``if p.is_relative_to(root)``."""
    if not isinstance(value, ast.Call):
        return frame.state
    func = value.func
    if not (isinstance(func, ast.Attribute) and func.attr == "relative_to"):
        return frame.state
    check = ast.Call(
        func=ast.Attribute(value=func.value, attr="is_relative_to", ctx=ast.Load()),
        args=value.args,
        keywords=[],
    )
    return refined(frame, frame.state, check, True)


def _assign(frame: Frame, node: ast.Assign) -> State | None:
    assigned = frame.value(node.value)
    frame.state = _raised_unless(frame, node.value)
    for target in node.targets:
        bind(frame, target, assigned, node.value)
    return frame.state


def _ann_assign(frame: Frame, node: ast.AnnAssign) -> State | None:
    if node.value is not None:
        bind(frame, node.target, frame.value(node.value), node.value)
    return frame.state


def _aug_assign(frame: Frame, node: ast.AugAssign) -> State | None:
    assigned = frame.value(node.target).join(frame.value(node.value))
    name = node.target.id if isinstance(node.target, ast.Name) else None
    before = const_eval(node.target, frame.state)
    if isinstance(node.op, ast.Add) and isinstance(before, str) and SAFE_PREFIX.match(before):
        assigned = assigned.sanitized(
            frozenset({"redirect", "ssrf"})
        )  # url = "https://h/"; url += x
    constant = const_eval(ast.BinOp(node.target, node.op, node.value), frame.state)
    bind(frame, node.target, assigned, None)
    if name and constant is not MISSING:
        frame.state.consts[name] = constant
    return frame.state


def _return(frame: Frame, node: ast.Return) -> State | None:
    if node.value is not None:
        returned = frame.value(node.value)
        frame.returns.append(returned)
        body = (
            node.value.elts[0]
            if isinstance(node.value, ast.Tuple) and node.value.elts
            else node.value
        )
        json_like = isinstance(body, (ast.Dict, ast.List, ast.DictComp, ast.ListComp))
        if frame.view and frame.ctx.framework in ("flask", "") and not json_like:
            report(frame, "xss", node, frame.value(body), "the HTTP response", through=body)
        secret_result(frame, node, returned, "return value")
    return None


def _raise(frame: Frame, node: ast.Raise) -> State | None:
    if node.exc is not None:
        frame.value(node.exc)
    return None


def _break(frame: Frame, node: ast.Break) -> State | None:
    if frame.loops:
        frame.loops[-1][0].append(frame.state)
    return None


def _continue(frame: Frame, node: ast.Continue) -> State | None:
    if frame.loops:
        frame.loops[-1][1].append(frame.state)
    return None


def _if(frame: Frame, node: ast.If) -> State | None:
    test = const_eval(node.test, frame.state)
    if test is not MISSING:
        return run(frame, node.body if test else node.orelse)
    frame.value(node.test)
    before = frame.state
    frame.state = refined(frame, before, node.test, True)
    after_body = run(frame, node.body)
    frame.state = refined(frame, before, node.test, False)
    after_else = run(frame, node.orelse)
    return join_states([after_body, after_else])


def _loop(
    frame: Frame,
    body: list[ast.stmt],
    orelse: list[ast.stmt],
    target: ast.expr | None,
    item: TV,
    iterable: ast.expr | None = None,
) -> State | None:
    current: State = frame.state
    breaks: list[State] = []
    for _ in range(2):
        frame.state = current.copy()
        if target is not None:
            if iterable is not None:
                bind_iteration(frame, target, iterable, item)
            else:
                bind(frame, target, item, None)
        frame.loops.append(([], []))
        after = run(frame, body)
        loop_breaks, continues = frame.loops.pop()
        breaks = loop_breaks
        merged = join_states([current, after, *continues])
        current = merged if merged is not None else current
    frame.state = current
    after_else = run(frame, orelse) if orelse else current
    return join_states([after_else, *breaks])


def _for(frame: Frame, node: ast.For | ast.AsyncFor) -> State | None:
    return _loop(frame, node.body, node.orelse, node.target, frame.value(node.iter), node.iter)


def _while(frame: Frame, node: ast.While) -> State | None:
    frame.value(node.test)
    return _loop(frame, node.body, node.orelse, None, CLEAN)


def _with(frame: Frame, node: ast.With | ast.AsyncWith) -> State | None:
    for item in node.items:
        entered = frame.value(item.context_expr)
        if item.optional_vars is not None:
            bind(frame, item.optional_vars, entered, item.context_expr)
    return run(frame, node.body)


def _try(frame: Frame, node: ast.Try | ast.TryStar) -> State | None:
    before = frame.state
    frame.state = before.copy()
    after_body = run(frame, node.body)
    if after_body is not None and node.orelse:
        frame.state = after_body
        after_body = run(frame, node.orelse)
    outcomes: list[State | None] = [after_body]
    handler_entry = join_states([before, after_body]) or before
    for handler in node.handlers:
        frame.state = handler_entry.copy()
        if handler.name:
            frame.state.env.pop(handler.name, None)
        outcomes.append(run(frame, handler.body))
    result = join_states(outcomes)
    if node.finalbody:
        frame.state = result if result is not None else handler_entry.copy()
        final = run(frame, node.finalbody)
        return final if result is not None else None
    return result


def _match(frame: Frame, node: ast.Match) -> State | None:
    subject = const_eval(node.subject, frame.state)
    frame.value(node.subject)
    before = frame.state
    outcomes: list[State | None] = []
    for case in node.cases:
        pattern = case.pattern
        if subject is not MISSING and isinstance(pattern, ast.MatchValue):
            if const_eval(pattern.value, before) != subject:
                continue
            frame.state = before.copy()
            return run(frame, case.body)
        frame.state = before.copy()
        outcomes.append(run(frame, case.body))
    outcomes.append(before)
    return join_states(outcomes)


_STATEMENTS: dict[type[ast.stmt], Callable[[Frame, Any], State | None]] = {
    ast.FunctionDef: _definition,
    ast.AsyncFunctionDef: _definition,
    ast.ClassDef: _definition,
    ast.Import: _definition,
    ast.ImportFrom: _definition,
    ast.Expr: _expr,
    ast.Assign: _assign,
    ast.AnnAssign: _ann_assign,
    ast.AugAssign: _aug_assign,
    ast.Return: _return,
    ast.Raise: _raise,
    ast.Break: _break,
    ast.Continue: _continue,
    ast.If: _if,
    ast.For: _for,
    ast.AsyncFor: _for,
    ast.While: _while,
    ast.With: _with,
    ast.AsyncWith: _with,
    ast.Try: _try,
    ast.TryStar: _try,
    ast.Match: _match,
}
"""The statement types with a rule of their own; any other evaluates its expressions."""
