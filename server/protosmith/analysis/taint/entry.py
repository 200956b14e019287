"""Where a function's analysis starts: its parameters, the request names and sources it
receives (framework conventions), and the names it can resolve to instances of known classes."""

from __future__ import annotations

import ast

import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.instances import (
    attribute_classes,
    enclosing_class,
    instance_classes,
)
from protosmith.analysis.taint.state import State

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def params_of(func: FunctionNode) -> list[ast.arg]:
    """Every named parameter, positional-only, plain and keyword-only, in order."""
    arguments = func.args
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]


def function_instances(ctx: ModuleContext, func: FunctionNode | None) -> dict[str, str]:
    """Names known to hold an instance of a class: the module's, then the function's own.

    Computed once per function and once per class (a function is analyzed once as a view or
    caller, and again when summarized for its callers; every method shares its class's)."""
    if ctx.instances is None:
        ctx.instances = instance_classes(ctx, ctx.tree.body)
    if func is None:
        return ctx.instances
    known = ctx.instance_cache.get(id(func))
    if known is None:
        cls = enclosing_class(ctx, func)
        attributes: dict[str, str] = {}
        if cls is not None:
            if id(cls) not in ctx.instance_cache:
                ctx.instance_cache[id(cls)] = attribute_classes(ctx, cls)
            attributes = ctx.instance_cache[id(cls)]
        known = {**ctx.instances, **attributes, **instance_classes(ctx, func.body, func)}
        ctx.instance_cache[id(func)] = known
    return known


def _pytest_function(ctx: ModuleContext, func: FunctionNode) -> bool:
    """A fixture or test marked by pytest, or any function of a pytest module that uses no web
    framework: its ``request`` parameter is pytest's fixture request. (A view may well be named
    ``test_webhook``, so names prove nothing.)"""
    if any(
        (ctx.qualify(d.func if isinstance(d, ast.Call) else d) or "").startswith("pytest.")
        for d in func.decorator_list
    ):
        return True
    libraries = {qualified.split(".")[0] for qualified in ctx.imports.values()}
    return "pytest" in libraries and not ctx.framework


def _web_module(ctx: ModuleContext) -> bool:
    """A module that imports a web framework or server, or no HTTP client either (a helper of a
    web app); not an HTTP client library, whose ``request`` parameters are outgoing requests."""
    qualified = set(ctx.imports.values())
    tops = {q.split(".")[0] for q in qualified}
    server = any(q.startswith("http.server") for q in qualified)
    if ctx.framework or server or tops & (sources.WEB_MODULES - {"http"}):
        return True
    own_models = [
        q
        for local, q in ctx.imports.items()
        if local in ("Request", "Response") and q.split(".")[0] not in sources.WEB_MODULES
    ]
    if own_models:  # a library with its own Request/Response types (an HTTP client's)
        return False
    client = any(q.startswith(("http.client", "urllib.request")) for q in qualified)
    return not client and not tops & sources.HTTP_CLIENT_MODULES


def _web_type(ctx: ModuleContext, annotation: str) -> bool:
    """A ``Request`` annotation that names a web framework's request class: imported from one,
    or unresolved in a module that is a web module (not an HTTP client's own ``Request``)."""
    qualified = ctx.imports.get(annotation)
    if qualified is None:
        return _web_module(ctx)
    return qualified.split(".")[0] in sources.WEB_MODULES - {"http"} or qualified.startswith(
        "http.server"
    )


def _client_request(ctx: ModuleContext, annotation: ast.expr | None) -> bool:
    """``request: httpx.Request``: a request class of a library that serves no web requests
    (an HTTP client's outgoing request), so the parameter is no web request by its name."""
    if not isinstance(annotation, (ast.Name, ast.Attribute)):
        return False
    qualified = ctx.qualify(annotation) or ""
    if not qualified.endswith("Request") or "." not in qualified:
        return False
    top = qualified.split(".")[0]
    return top not in sources.WEB_MODULES - {"http"} and not qualified.startswith("http.server")


def entry_state(
    ctx: ModuleContext, func: FunctionNode, module_state: State
) -> tuple[State, set[str], bool]:
    """The entry state of a function, the names that hold the request, and whether it is a view."""
    state = State(consts=dict(module_state.consts))
    request_names = set(ctx.request_names)
    view = any(sources.is_route_decorator(d) for d in func.decorator_list)
    for name in sources.route_parameters(func.decorator_list):
        arg = next((a for a in params_of(func) if a.arg == name), None)
        if arg is not None:
            state.env[name] = sources.origin_at(arg, f"path parameter `{name}`")
    # pytest's own ``request`` fixture is no HTTP request, nor is an HTTP client's ``request``
    by_name = not _pytest_function(ctx, func) and _web_module(ctx)
    names = [a.arg for a in params_of(func)]
    if "environ" in names and "start_response" in names:  # a WSGI application
        arg = params_of(func)[names.index("environ")]
        state.env["environ"] = sources.origin_at(arg, "WSGI environ")
    if names[-3:] == ["scope", "receive", "send"]:  # an ASGI application
        for name in ("scope", "receive"):
            arg = params_of(func)[names.index(name)]
            state.env[name] = sources.origin_at(arg, f"ASGI {name}")
    if names[-3:] == ["method", "properties", "body"]:  # a pika (RabbitMQ) consumer callback
        arg = params_of(func)[names.index("body")]
        state.env["body"] = sources.origin_at(arg, "message-queue payload")
    for arg in params_of(func):
        annotation = sources.annotation_name(arg.annotation)
        client = _client_request(ctx, arg.annotation)
        named = by_name and arg.arg in sources.REQUEST_PARAM_NAMES and not client
        typed = (
            annotation in sources.REQUEST_ANNOTATIONS and not client and _web_type(ctx, annotation)
        )
        if named or typed:
            request_names.add(arg.arg)
            continue
        if (
            view
            and ctx.framework == "fastapi"
            and arg.arg not in ("self", "cls")
            and annotation not in sources.SAFE_PARAM_ANNOTATIONS
        ):
            state.env[arg.arg] = sources.origin_at(arg, f"request parameter `{arg.arg}`")
    defaults = func.args.defaults  # they belong to the last positional-only *and* plain args
    positional = [*func.args.posonlyargs, *func.args.args]
    for arg, default in zip(positional[len(positional) - len(defaults) :], defaults, strict=True):
        if sources.default_is_dependency(default):
            state.env.pop(arg.arg, None)
    return state, request_names, view
