"""One module's taint analysis: its context, its body, then every function in it as an entry
point (a second pass for classes whose methods share request data through ``self``)."""

from __future__ import annotations

import ast
from pathlib import Path

from protosmith.analysis.findings import Finding
from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.engine import new_frame
from protosmith.analysis.taint.entry import FunctionNode, entry_state, function_instances
from protosmith.analysis.taint.model import CLEAN
from protosmith.analysis.taint.project import ProjectIndex, module_name
from protosmith.analysis.taint.rules import to_findings
from protosmith.analysis.taint.state import State
from protosmith.analysis.taint.walker import run


def module_context(tree: ast.Module, path: str, root: Path | None = None) -> ModuleContext:
    """The context of one module; with ``root`` (the reviewed tree) it can reach the tree's
    other modules. Built once per file and shared by the taint and pattern rules."""
    project = ProjectIndex(root, path) if root is not None else None
    return ModuleContext.build(tree, module=module_name(path) if root else "", project=project)


def analyze_module(
    tree: ast.Module,
    text: str,
    path: str,
    *,
    root: Path | None = None,
    ctx: ModuleContext | None = None,
) -> list[Finding]:
    """Security findings of the taint rules for one parsed module.

    With ``root`` (the reviewed tree), calls into the tree's other modules are followed too;
    ``ctx`` is the module's context when the caller built it already (``module_context``).
    """
    ctx = ctx or module_context(tree, path, root)
    module = new_frame(
        ctx, State(), request_names=set(ctx.request_names), instances=function_instances(ctx, None)
    )
    module_state = run(module, tree.body) or State()
    ctx.globals = {k: v for k, v in module_state.env.items() if v.tainted}
    methods_again: list[FunctionNode] = []
    for rerun in (False, True):
        for node in methods_again if rerun else ctx.every_function:
            state, request_names, view = entry_state(ctx, node, module_state)
            frame = new_frame(
                ctx,
                state,
                request_names=request_names,
                view=view,
                name=node.name,
                instances=function_instances(ctx, node),
                owner=ctx.owner_of(node),
                scope=node,
            )
            run(frame, node.body)
            for key, value in frame.attributes.items():
                if value.tainted and not rerun:
                    shared = f"{frame.owner}.{key.removeprefix('self.')}"
                    ctx.attributes[shared] = ctx.attributes.get(shared, CLEAN).join(value)
        # Methods reading an attribute another method of their class fills from a request
        # are analyzed again, now that every method has been seen (findings are deduplicated).
        tainted = {name.split(".")[0] for name in ctx.attributes}
        methods_again = [n for n in ctx.every_function if ctx.owner_of(n) in tainted]
        if methods_again:
            ctx.summaries.clear()  # summaries of those methods read the attributes too
    return to_findings(ctx.raw, text, path)
