"""Reads of the web request: which expressions hold request data (``request.args["q"]``,
``self.path`` in an ``http.server`` handler) and which read harmless request attributes."""

from __future__ import annotations

import ast

import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.frame import Frame

SAFE_REQUEST_ACCESSORS = frozenset(
    {
        "get",
        "getlist",
        "get_json",
        "get_data",
        "to_dict",
        "items",
        "values",
        "lists",
        "getall",
        "json",
        "body",
        "form",
        "query_params",
        "path_params",
        "read",
        "decode",
    }
)


def _stdlib_handler(frame: Frame) -> bool:
    """Whether the method being analyzed belongs to an ``http.server``/``socketserver``
    request handler (its class, or a class of this module it derives from)."""
    seen: set[str] = set()
    pending = [frame.owner] if frame.owner else []
    while pending:
        name = pending.pop()
        cls = frame.ctx.classes.get(name)
        if cls is None or name in seen:
            continue
        seen.add(name)
        for base in cls.bases:
            qualified = frame.ctx.qualify(base) or ""
            if qualified in sources.HANDLER_BASES:
                return True
            pending.append(qualified)
    return False


def _own_request_field(frame: Frame) -> bool:
    """The class stores ``self.request`` itself, from anything but a ``request`` parameter
    (an API client's ``self.request = params.copy()``): it holds the class's own data, not the
    web request a framework hands a view class (Django, DRF and tornado set it themselves)."""
    if not frame.owner:
        return False
    known = frame.ctx.own_request.get(frame.owner)
    if known is None:
        cls = frame.ctx.classes.get(frame.owner)
        known = cls is not None and any(
            isinstance(target, ast.Attribute)
            and target.attr == "request"
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
            and not (
                isinstance(node.value, ast.Name) and node.value.id in sources.REQUEST_PARAM_NAMES
            )
            for node in ast.walk(cls)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        frame.ctx.own_request[frame.owner] = known
    return known


def request_root(frame: Frame, node: ast.expr) -> str:
    """'source' for request data, 'clean' for harmless request attributes, '' otherwise."""
    current = node
    first_attr = ""
    while True:
        if isinstance(current, ast.Attribute):
            on_self = isinstance(current.value, ast.Name) and current.value.id == "self"
            if on_self and current.attr in sources.HANDLER_ATTRS and _stdlib_handler(frame):
                return "source"
            if on_self and current.attr == "request" and not _own_request_field(frame):
                return "clean" if first_attr in sources.CLEAN_REQUEST_ATTRS else "source"
            first_attr = current.attr
            current = current.value
        elif isinstance(current, ast.Subscript):
            current = current.value
        elif isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            if current.func.attr not in SAFE_REQUEST_ACCESSORS:
                return ""
            first_attr = current.func.attr
            current = current.func.value
        else:
            break
    if (
        isinstance(current, ast.Name)
        and current.id in frame.request_names
        and current.id not in frame.state.env
    ):
        return "clean" if first_attr in sources.CLEAN_REQUEST_ATTRS else "source"
    return ""
