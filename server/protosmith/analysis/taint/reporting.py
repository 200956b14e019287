"""Reporting a flow into a sink: which origins count for which sink, and where the hit goes
(a finding, or a parameter summary while a function is summarized for its callers)."""

from __future__ import annotations

import ast
import re

import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.context import SECRET_NAME, RawFinding
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import CLEAN, INPUT, NOT_INVOCATION, PARAM, RANDOM, TV
from protosmith.analysis.taint.state import State

FILE_ONLY_IGNORED = frozenset({"xss", "xxe", "redirect", "trustbound", "header", "ssrf"})
"""Sinks that only matter for web input: a local file flowing there is not an attack."""
INVOCATION_IS_CONFIGURATION = frozenset({"pathtraver"})
"""Sinks where a value from the process's environment or command line is configuration
(``CACHE_DIR=/x``, ``tool.py FILE``): whoever starts the process already decides which files
it touches."""


def report(
    frame: Frame,
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
    if frame.summary_mode:
        marker = NOT_INVOCATION if not_invocation and origin_kind == INPUT else origin_kind
        for origin in params:
            frame.param_sinks.append((origin.index, kind, node, sink, marker))
        return
    real = [o for o in origins if o.kind != PARAM]
    if real:
        names = _tainted_names(frame.state, through) if through is not None else []
        frame.ctx.raw.append(RawFinding(kind, node, sink, real, names, via, origin_kind, sink_at))


def _tainted_names(state: State, node: ast.expr) -> list[str]:
    names = []
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Name)
            and state.env.get(sub.id, CLEAN).tainted
            and sub.id not in names
        ):
            names.append(sub.id)
    return names


def _snake(name: str) -> str:
    """``OtpService`` → ``otp_service``: a class name read like a function name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def secret_result(frame: Frame, node: ast.AST, value: TV, what: str) -> None:
    """Weak randomness in what a secret-named function (or class) hands out."""
    if SECRET_NAME.search(frame.name) or SECRET_NAME.search(_snake(frame.owner)):
        report(frame, "weakrand", node, value, f"the {what} of {frame.name}()", origin_kind=RANDOM)
