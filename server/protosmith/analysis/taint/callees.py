"""Calls into the tree's own functions: which function a call reaches (a function of this
module, a method of the class the receiver holds, a function of another module of the tree) and
what its summary says the call does with the arguments passed."""

from __future__ import annotations

import ast

from protosmith.analysis.taint.context import Summary
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import CLEAN, KEYS, PARAM, TV, Origin
from protosmith.analysis.taint.reporting import report
from protosmith.analysis.taint.state import key_of


def apply_summary(
    frame: Frame,
    node: ast.Call,
    short: str,
    receiver: TV,
    args: list[TV],
    kwargs: dict[str | None, TV],
) -> TV | None:
    """The result of a call to a function of the tree, through its summary (sinks its
    arguments reach are reported); None when the callee is not one of the tree's."""
    func = node.func
    if not isinstance(func, (ast.Name, ast.Attribute)):
        return None
    own_method = (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    )
    held = frame.instance_of(func) or _sole_owner(frame, func)
    if held is not None:
        return _apply_method(frame, node, held, args, kwargs, receiver=receiver)
    if (isinstance(func, ast.Name) and func.id in frame.ctx.imports) or (
        isinstance(func, ast.Attribute) and not own_method
    ):
        return _apply_external(frame, node, args, kwargs, receiver=receiver)
    summary = frame.summarize(frame.ctx, short)
    if summary is None:
        return None
    return _apply(frame, node, summary, short, args, kwargs, where="", receiver=receiver)


def _sole_owner(frame: Frame, func: ast.expr) -> str | None:
    """``self.service.members(...)`` where ``self.service`` was handed in (its class is not
    known here): the one class of this module that defines ``members``, if just one does."""
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and isinstance(func.value.value, ast.Name)
        and func.value.value.id == "self"
    ):
        return None
    ctx = frame.ctx
    owners = [c for c in ctx.classes if f"{c}.{func.attr}" in ctx.functions]
    return owners[0] if len(owners) == 1 and owners[0] != frame.owner else None


def _apply_method(
    frame: Frame,
    node: ast.Call,
    cls: str,
    args: list[TV],
    kwargs: dict[str | None, TV],
    *,
    receiver: TV = CLEAN,
) -> TV | None:
    """``obj.method(...)`` where ``obj`` holds an instance of ``cls`` (this module or another)."""
    method = f"{cls}.{node.func.attr}"  # type: ignore[attr-defined]
    if "." not in cls and method in frame.ctx.functions:
        summary = frame.summarize(frame.ctx, method)
        if summary is None:
            return None
        return _apply(frame, node, summary, method, args, kwargs, where="", receiver=receiver)
    return _apply_external(frame, node, args, kwargs, qualified=method, receiver=receiver)


def _apply_external(
    frame: Frame,
    node: ast.Call,
    args: list[TV],
    kwargs: dict[str | None, TV],
    *,
    qualified: str | None = None,
    receiver: TV = CLEAN,
) -> TV | None:
    """A call into another module of the reviewed tree, through that module's summary."""
    project = frame.ctx.project
    if project is None:
        return None
    qualified = qualified or frame.ctx.qualify(node.func)
    if not qualified:
        return None
    target = project.resolve(qualified)
    if target is None:
        return None
    summary = frame.summarize(target.ctx, target.function)
    if summary is None:
        return None
    if not summary.returned.tainted and not any(v.tainted for v in [*args, *kwargs.values()]):
        return None  # nothing tainted goes in or comes out: the plain (clean) result is right
    result = _apply(
        frame, node, summary, target.function, args, kwargs, where=target.path, receiver=receiver
    )
    # Origins inside the other module would point at lines of this file: re-anchor them here.
    inside = summary.returned.origins
    return result.map_origins(
        lambda o: (
            Origin(
                o.kind,
                f"{o.description} (returned by {target.function}() in {target.path})",
                node.lineno,
                node.col_offset,
                o.web,
                o.index,
            )
            if o.kind != PARAM and o in inside
            else o
        )
    )


def _apply(
    frame: Frame,
    node: ast.Call,
    summary: Summary,
    short: str,
    args: list[TV],
    kwargs: dict[str | None, TV],
    *,
    where: str,
    receiver: TV = CLEAN,
) -> TV:
    func = node.func
    offset = (
        1 if summary.params[:1] in (["self"], ["cls"]) and isinstance(func, ast.Attribute) else 0
    )
    by_index: dict[int, TV] = {}
    for position, (arg, value) in enumerate(zip(node.args, args, strict=False)):
        index = position + offset
        starred = isinstance(arg, ast.Starred)
        if (starred or index >= len(summary.params)) and summary.varargs >= 0:
            index = summary.varargs  # into *args
        by_index[index] = by_index.get(index, CLEAN).join(value)
    for name, value in kwargs.items():
        if name in summary.params:
            by_index[summary.params.index(name)] = value
        elif summary.varkw >= 0:  # ``**mapping`` or a name only **kwargs takes
            named = value.sanitized(frozenset({KEYS})) if name is not None else value
            by_index[summary.varkw] = by_index.get(summary.varkw, CLEAN).join(named)
    if offset and isinstance(func, ast.Attribute):
        # The object itself: what it held, plus what this method stores in its fields
        # (``holder.load(param)`` then ``holder.get()``; ``Target(raw).url()``).
        written = _substitute(summary.writes, by_index)
        by_index[0] = receiver.join(written)
        key = key_of(func.value)
        if key and written.tainted and key.split(".")[0] not in ("self", "cls"):
            frame.state.env[key] = frame.state.env.get(key, CLEAN).join(written)
    for index, kind, sink_node, sink, origin_kind in summary.sinks:
        argument = by_index.get(index, CLEAN)
        if where:  # the sink is in another file: report at this call, name the sink's place
            line = getattr(sink_node, "lineno", 0)
            report(
                frame,
                kind,
                node,
                argument,
                f"{sink} in {short}() ({where}:{line})",
                origin_kind=origin_kind,
                sink_at=(where, sink_node),
            )
            continue
        report(
            frame,
            kind,
            sink_node,
            argument,
            sink,
            origin_kind=origin_kind,
            via=f"{short}() called at line {node.lineno}",
        )
    return _substitute(summary.returned, by_index)


def _substitute(value: TV, by_index: dict[int, TV]) -> TV:
    """``value`` from a summary, with each parameter replaced by what the call passed for it
    (kept safe for what the function made it safe for)."""
    result = TV(frozenset(fact for fact in value.facts if fact[0].kind != PARAM))
    for origin, safe_for in value.facts:
        if origin.kind == PARAM:
            passed = by_index.get(origin.index, CLEAN)
            result = result.join(
                (passed.keys_part() if origin.keys else passed).sanitized(safe_for)
            )
    return result
