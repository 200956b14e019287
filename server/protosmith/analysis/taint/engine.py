"""Where the engine is put together: frames wired to the evaluator and to function summaries,
and the summary of a function for its callers (its body walked in summary mode).

The engine's steps call each other recursively (a call's value needs the callee's summary, which
walks the callee's body, which evaluates calls ...). Each module imports only the steps below it;
the lower steps reach the two that close the loop, ``evaluate.value`` and ``summarize``, through
the frame made here."""

from __future__ import annotations

import ast

from protosmith.analysis.taint.context import ModuleContext, Summary
from protosmith.analysis.taint.entry import function_instances, params_of
from protosmith.analysis.taint.evaluate import value
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import PARAM, TV, Origin, join_all
from protosmith.analysis.taint.state import State
from protosmith.analysis.taint.walker import run


def new_frame(
    ctx: ModuleContext,
    state: State,
    *,
    request_names: set[str],
    instances: dict[str, str],
    summary_mode: bool = False,
    view: bool = False,
    name: str = "",
    owner: str = "",
    scope: ast.AST | None = None,
) -> Frame:
    """A frame for walking one function (or the module body) from ``state``."""
    return Frame(
        ctx,
        state,
        request_names,
        evaluate=value,
        summarize=summarize,
        instances=instances,
        owner=owner,
        name=name,
        scope=scope,
        view=view,
        summary_mode=summary_mode,
    )


def summarize(ctx: ModuleContext, name: str) -> Summary | None:
    """The (cached) summary of the same-module function ``name``; None if unknown or recursive."""
    if name in ctx.summaries:
        return ctx.summaries[name]
    func = ctx.functions.get(name)
    if func is None or name in ctx.computing:
        return None
    ctx.computing.add(name)
    params = params_of(func)
    variadic = [a for a in (func.args.vararg, func.args.kwarg) if a is not None]
    state = State(consts=dict(ctx.constants()))
    for index, arg in enumerate([*params, *variadic]):
        state.env[arg.arg] = TV.of(frozenset({Origin(PARAM, arg.arg, func.lineno, 0, True, index)}))
    frame = new_frame(
        ctx,
        state,
        request_names=set(ctx.request_names),
        summary_mode=True,
        name=name,
        instances=function_instances(ctx, func),
        owner=ctx.owner_of(func),
        scope=func,
    )
    run(frame, func.body)
    ctx.computing.discard(name)
    summary = Summary(
        params=[a.arg for a in params],
        varargs=len(params) if func.args.vararg else -1,
        varkw=len(params) + bool(func.args.vararg) if func.args.kwarg else -1,
        returned=join_all(frame.returns),
        writes=frame.writes,
        sinks=list(dict.fromkeys(frame.param_sinks)),  # one per (parameter, sink, kind)
    )
    ctx.summaries[name] = summary
    return summary
