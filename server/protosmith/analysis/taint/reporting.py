"""Reporting a flow into a sink: which origins count for which sink, and where the hit goes
(a finding, or a parameter summary while a function is summarized for its callers)."""

from __future__ import annotations

import ast

import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.context import ModuleContext, RawFinding
from protosmith.analysis.taint.model import CLEAN, INPUT, NOT_INVOCATION, PARAM, TV
from protosmith.analysis.taint.state import State

FILE_ONLY_IGNORED = frozenset({"xss", "xxe", "redirect", "trustbound", "header", "ssrf"})
"""Sinks that only matter for web input: a local file flowing there is not an attack."""
INVOCATION_IS_CONFIGURATION = frozenset({"pathtraver"})
"""Sinks where a value from the process's environment or command line is configuration
(``CACHE_DIR=/x``, ``tool.py FILE``): whoever starts the process already decides which files
it touches."""


class Reporter:
    """Records sink hits for the evaluator and the statement walker built on it."""

    ctx: ModuleContext
    state: State
    summary_mode: bool
    param_sinks: list[tuple[int, str, ast.AST, str, str]]

    def report(
        self,
        kind: str,
        node: ast.AST,
        value: TV,
        sink: str,
        *,
        origin_kind: str = INPUT,
        through: ast.expr | None = None,
        via: str = "",
        sink_at: tuple[str, ast.AST] | None = None,
    ) -> None:
        """Record a dangerous flow of ``value`` into a ``kind`` sink at ``node``."""
        not_invocation = origin_kind == NOT_INVOCATION or kind in INVOCATION_IS_CONFIGURATION
        if origin_kind == NOT_INVOCATION:
            origin_kind = INPUT
        origins = value.dangerous_for(kind, origin_kind)
        if kind in FILE_ONLY_IGNORED:
            origins = [o for o in origins if o.web or o.kind != INPUT]
        if not_invocation:
            origins = [o for o in origins if not sources.from_invocation(o)]
        if not origins:
            return
        params = [o for o in origins if o.kind == PARAM]
        if self.summary_mode:
            marker = NOT_INVOCATION if not_invocation and origin_kind == INPUT else origin_kind
            for origin in params:
                self.param_sinks.append((origin.index, kind, node, sink, marker))
            return
        real = [o for o in origins if o.kind != PARAM]
        if real:
            names = self._tainted_names(through) if through is not None else []
            self.ctx.raw.append(
                RawFinding(kind, node, sink, real, names, via, origin_kind, sink_at)
            )

    def _tainted_names(self, node: ast.expr) -> list[str]:
        names = []
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Name)
                and self.state.env.get(sub.id, CLEAN).tainted
                and sub.id not in names
            ):
                names.append(sub.id)
        return names
