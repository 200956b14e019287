"""Calls: sink checks, what a call returns (sources, sanitizers, summaries of the tree's own
functions and methods), and calls through tables, lambdas and ``map``."""

from __future__ import annotations

import ast
import builtins

import protosmith.analysis.taint.sanitizers as sanitizers
import protosmith.analysis.taint.sinks as sinks
import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.binding import bind
from protosmith.analysis.taint.callees import apply_summary
from protosmith.analysis.taint.context import RawFinding
from protosmith.analysis.taint.effects import call_effects
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import CLEAN, TV, join_all
from protosmith.analysis.taint.objects import SinkView, is_markup
from protosmith.analysis.taint.reporting import report
from protosmith.analysis.taint.request import request_root
from protosmith.analysis.taint.state import MISSING, const_eval, key_of
from protosmith.analysis.taint.strings import string_method

BUILTIN_NAMES = frozenset(dir(builtins))
ARCHIVES = frozenset({"zipfile.ZipFile", "tarfile.open", "tarfile.TarFile"})
"""Path sinks whose result still carries the input: an uploaded archive's member names."""


DJANGO_RENDERERS = frozenset({"django.template.loader.render_to_string", "django.shortcuts.render"})
"""Django renders templates with autoescaping on: their output is escaped HTML."""
RUNNERS = {
    "anyio.to_thread.run_sync": (0, False),
    "asyncio.to_thread": (0, True),
    "starlette.concurrency.run_in_threadpool": (0, True),
    "fastapi.concurrency.run_in_threadpool": (0, True),
}
"""Calls that run the function they are handed on the arguments after it: (its position,
whether keywords go to it too)."""
RUNNER_METHODS = {"run_in_executor": (1, False), "submit": (0, True)}
"""Methods doing the same (``loop.run_in_executor(None, f, x)``, ``executor.submit(f, x)``),
taken as runners only where what they are handed is a known function."""
UNCONFIRMED_SINKS = frozenset({"ldapi", "xpathi", "codeinj"})
"""Sink kinds bandit does not cover (LDAP, XPath, templates compiled from text): a hit with no
traced source is still reported, unconfirmed, unless every argument is a constant."""


def _built(call: ast.Call, frame: Frame, kind: str) -> bool:
    """Whether a call's arguments hold a value computed at run time: a variable, an attribute
    or a call result, not a literal, a name holding one, an imported constant
    (``ldap.SCOPE_SUBTREE``) or an upper-case module constant. XPath keywords bind ``$name``
    variables: data, not query text."""
    imports = frame.ctx.imports
    keywords = [] if kind == "xpathi" else [k.value for k in call.keywords]
    for value in [*call.args, *keywords]:
        if const_eval(value, frame.state) is not MISSING:
            continue
        for node in ast.walk(value):
            if isinstance(node, (ast.Call, ast.Subscript, ast.Starred)):
                return True
            if not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            root: ast.expr = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id not in imports and not root.id.isupper():
                return True
    return False


def call_value(frame: Frame, node: ast.Call) -> TV:
    """Taint of a call's result; the call is checked against sinks and its effects applied."""
    root = request_root(frame, node)
    if root:
        for arg in node.args:
            frame.value(arg)
        return CLEAN if root == "clean" else sources.origin_at(node, sources.describe(node))
    func = node.func
    if isinstance(func, ast.Name) and func.id == "receive" and func.id in frame.state.env:
        return frame.state.env[func.id]  # an ASGI application's ``await receive()``
    mapped = _mapped_lambda(frame, node)
    if mapped is None:
        mapped = _dispatched(frame, node)
    if mapped is not None:
        return mapped
    qname = frame.ctx.qualify(func)
    short = (
        func.attr
        if isinstance(func, ast.Attribute)
        else func.id
        if isinstance(func, ast.Name)
        else ""
    )
    if isinstance(func, ast.Attribute):
        receiver = frame.value(func.value)
    elif isinstance(func, ast.Name):
        receiver = CLEAN
    else:  # ``RedirectResponse(url)(scope, receive, send)``: the inner call is checked too
        receiver = frame.value(func)
    owner = func.value if isinstance(func, ast.Attribute) else None
    if short in sources.OWN_URL_METHODS and owner and request_root(frame, owner) == "source":
        for arg in node.args:
            frame.value(arg)  # ``request.get_full_path()``: the request's own URL
        return sources.origin_at(node, sources.describe(node)).sanitized(frozenset({"redirect"}))
    own_url = _own_url(frame, node, qname)
    if own_url is not None:
        return own_url
    run = _run_call(frame, node, qname, short)
    if run is not None:
        return frame.value(run)
    args = [frame.value(a) for a in node.args]
    kwargs = {k.arg: frame.value(k.value) for k in node.keywords}
    stored = _stored_upload(frame, node, qname, short, receiver)
    if stored is not None:
        return stored
    hits = (
        []
        if _readable_method(frame, func)
        else sinks.sink_hits(node, qname, short, SinkView(frame))
    )
    if any(hit.kind == "xss" for hit in hits) and _served_as_non_html(frame, node):
        hits = [hit for hit in hits if hit.kind != "xss"]
    for hit in hits:
        if hit.value.tainted:
            report(
                frame,
                hit.kind,
                node,
                hit.value,
                hit.sink,
                origin_kind=hit.origin_kind,
                through=node,
            )
        elif (
            hit.kind in UNCONFIRMED_SINKS
            and not frame.summary_mode
            and _built(node, frame, hit.kind)
        ):
            # No traced source, but the query or code is built at run time: reported at
            # the unconfirmed tier (bandit has no rule here that would show it otherwise).
            frame.ctx.raw.append(RawFinding(hit.kind, node, hit.sink, [], unconfirmed=True))
    call_effects(frame, node, short, args, kwargs)
    if hits and not short.startswith(("text", "TextClause")) and qname not in ARCHIVES:
        return CLEAN  # an archive's members stay untrusted (zip slip)
    result = call_result(frame, node, qname, short, receiver, args, kwargs)
    if result.tainted and isinstance(func, ast.Attribute):
        result = string_method(func, node, short, result)
    return result


def call_result(
    frame: Frame,
    node: ast.Call,
    qname: str | None,
    short: str,
    receiver: TV,
    args: list[TV],
    kwargs: dict[str | None, TV],
) -> TV:
    """Taint of a call's result."""
    ctx = frame.ctx
    name = qname or short
    if name in sources.CALL_SOURCES:
        description = sources.CALL_SOURCES[name]
        return sources.origin_at(node, description, web=description.startswith("CGI"))
    if short in sources.SOCKET_METHODS:  # a peer on the network, as remote as a browser
        return sources.origin_at(node, f"socket {short}()")
    if (
        short in sources.TORNADO_METHODS
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    ):
        return sources.origin_at(node, sources.describe(node))
    if sources.random_source(qname):
        return sources.random_origin(node)
    everything = join_all([receiver, *args, *kwargs.values()])
    if (
        short in sources.FILE_READ_METHODS
        and isinstance(node.func, ast.Attribute)
        and not receiver.tainted
    ):
        base = node.func.value
        if isinstance(base, ast.Call) and (ctx.qualify(base.func) or "") in (
            "open",
            "io.open",
            "pathlib.Path",
        ):
            return sources.origin_at(node, "file read", web=False)
    if frame.instance_of(node.func) is not None:
        # A method of a class we can read beats guessing from its name (str.find, escape...).
        method_value = apply_summary(frame, node, short, receiver, args, kwargs)
        if method_value is not None:
            return method_value
    if (
        short == "render"
        and isinstance(node.func, ast.Attribute)
        and (
            sanitizers.autoescaped(node.func.value, ctx) or _django_template(frame, node.func.value)
        )
    ) or qname in DJANGO_RENDERERS:
        return everything.sanitized(frozenset({"xss"}))
    host = sanitizers.url_host_parts(node, qname)
    if host is not None and not any(frame.value(p).dangerous_for("ssrf") for p in host):
        return everything.sanitized(frozenset({"ssrf", "redirect"}))
    template = sanitizers.escaping_template(node, qname, lambda n: is_markup(ctx, n))
    if template is not None:
        others = [v for a, v in zip(node.args, args, strict=False) if a is not template]
        escaped = join_all([*others, *kwargs.values()]).sanitized(frozenset({"xss"}))
        return frame.value(template).join(escaped)
    if sanitizers.orm_lookup(node.func) or _enum_class(frame, node.func):
        return CLEAN
    kinds = sanitizers.call_sanitizes(qname, short)
    if kinds is not None:
        return CLEAN if kinds == sanitizers.ALL else everything.sanitized(kinds)
    if short in sanitizers.CLEAN_METHODS and isinstance(node.func, ast.Attribute):
        return CLEAN
    if (
        short in sinks.XSS_NAMES
        or short in sinks.REDIRECT_NAMES
        or short in ("jsonify", "render_template", "send_from_directory", "url_for", "abort")
    ):
        return CLEAN
    if (
        short == "get"
        and isinstance(node.func, ast.Attribute)
        and _module_table(frame, node.func.value)
    ):
        default = node.args[1] if len(node.args) > 1 else None
        return frame.value(default) if default is not None else CLEAN
    if isinstance(node.func, ast.Attribute) and short in ("get", "pop", "setdefault") and node.args:
        keyed = _keyed_read(
            frame, node.func.value, node.args[0], node.args[1] if len(node.args) > 1 else None
        )
        if keyed is not None:
            return keyed
    if short == "get" and len(node.args) == 2 and isinstance(node.func, ast.Attribute):
        config = key_of(node.func.value)
        section = const_eval(node.args[0], frame.state)
        option = const_eval(node.args[1], frame.state)
        if config and section is not MISSING and option is not MISSING:
            entry = f"{config}[{(section, option)!r}]"
            if entry in frame.state.env:
                return frame.state.env[entry]
    summary_value = apply_summary(frame, node, short, receiver, args, kwargs)
    if summary_value is not None:
        return summary_value
    return everything


def _served_as_non_html(frame: Frame, node: ast.Call) -> bool:
    """``resp = Response(body)`` and later ``resp.mimetype = "application/json"`` (or its
    ``content_type``, or ``resp.headers["Content-Type"]``) in the same function: the body is
    sent with that type, not as HTML."""
    if frame.scope is None:
        return False
    holder = next(
        (
            s.targets[0].id
            for s in ast.walk(frame.scope)
            if isinstance(s, ast.Assign)
            and s.value is node
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
        ),
        None,
    )
    if holder is None:
        return False
    for stmt in ast.walk(frame.scope):
        if not (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
            and "html" not in stmt.value.value.lower()
        ):
            continue
        for target in stmt.targets:
            field = target
            if isinstance(target, ast.Subscript):
                key = target.slice
                if not (isinstance(key, ast.Constant) and str(key.value).lower() == "content-type"):
                    continue
                field = target.value  # ``resp.headers["Content-Type"]``
                if not (isinstance(field, ast.Attribute) and field.attr == "headers"):
                    continue
            elif not (
                isinstance(field, ast.Attribute) and field.attr in ("mimetype", "content_type")
            ):
                continue
            if isinstance(field.value, ast.Name) and field.value.id == holder:
                return True
    return False


def _run_call(frame: Frame, node: ast.Call, qname: str | None, short: str) -> ast.Call | None:
    """``run_sync(self.lookup, path)`` as the call it makes, ``self.lookup(path)``: what the
    function does (its sinks, its guards, its result) is what the runner's call does."""
    spec = RUNNERS.get(qname or "")
    method = spec is None and isinstance(node.func, ast.Attribute)
    if method:
        spec = RUNNER_METHODS.get(short)
    if spec is None:
        return None
    index, forwards = spec
    if len(node.args) <= index or not isinstance(node.args[index], (ast.Name, ast.Attribute)):
        return None
    target = node.args[index]
    if method and not _known_function(frame, target):
        return None
    keywords = node.keywords if forwards else []
    call = ast.Call(func=target, args=node.args[index + 1 :], keywords=keywords)
    return ast.copy_location(call, node)


def _known_function(frame: Frame, target: ast.expr) -> bool:
    """A function of this module, an imported one, or a method of a class we can read."""
    if isinstance(target, ast.Name):
        return target.id in frame.ctx.functions or target.id in frame.ctx.imports
    return frame.instance_of(target) is not None or frame.ctx.qualify(target) is not None


def _own_url(frame: Frame, node: ast.Call, qname: str | None) -> TV | None:
    """``URL(scope=scope)``, ``request_uri(environ)``: the URL the request itself was sent to,
    so its host is the site's own; changing its scheme, host prefix or path keeps it there."""
    if qname not in sources.OWN_URL_BUILDERS:
        return None
    keyword = sources.OWN_URL_BUILDERS[qname]
    if keyword and not any(k.arg == keyword for k in node.keywords):
        return None  # ``URL("https://...")`` parses a string: it is whatever that string is
    parts = [*node.args, *(k.value for k in node.keywords)]
    return join_all([frame.value(p) for p in parts]).sanitized(frozenset({"redirect"}))


def _stored_upload(
    frame: Frame, node: ast.Call, qname: str | None, short: str, receiver: TV
) -> TV | None:
    """An uploaded file saved to a path (``upload.save(path)``, ``shutil.copyfileobj``),
    then opened again at the same path: what is read back is the request's data."""
    path = node.args[0] if node.args else None
    if path is None:
        return None
    text = ast.unparse(path)
    if short == "save" and isinstance(node.func, ast.Attribute) and receiver.tainted:
        frame.ctx.uploads.add(text)
        return None
    if qname in ("open", "io.open", "codecs.open") and text in frame.ctx.uploads:
        for hit in sinks.sink_hits(node, qname, short, SinkView(frame)):
            if hit.value.tainted:
                report(frame, hit.kind, node, hit.value, hit.sink, through=node)
        return sources.origin_at(node, f"a file saved from the request ({text})")
    return None


def _django_template(frame: Frame, node: ast.expr) -> bool:
    """A Django template (``loader.get_template(...)``, ``Template(...)``), directly or
    through a name bound once in this function: Django autoescapes what it renders."""
    if isinstance(node, ast.Name) and frame.scope is not None:
        values = frame.ctx.assignments_in(frame.scope).get(node.id, [])
        node = values[0] if len(values) == 1 else node
    if not isinstance(node, ast.Call):
        return False
    return (frame.ctx.qualify(node.func) or "").startswith("django.template")


def _readable_method(frame: Frame, func: ast.expr) -> bool:
    """``repo.search(q)`` where ``repo`` holds a class of the tree that defines ``search``:
    its summary says what it does, so its name is no sink (it is no LDAP ``search``)."""
    cls = frame.instance_of(func)
    if cls is None or not isinstance(func, ast.Attribute):
        return False
    method = f"{cls}.{func.attr}"
    if "." not in cls:
        return method in frame.ctx.functions
    project = frame.ctx.project
    return project is not None and project.resolve(method) is not None


def _enum_class(frame: Frame, func: ast.expr) -> bool:
    """``Currency(value)``: an Enum of this module accepts only its own members' values."""
    cls = frame.ctx.classes.get(func.id) if isinstance(func, ast.Name) else None
    return cls is not None and any(
        ast.unparse(base).rsplit(".", 1)[-1] in ("Enum", "IntEnum", "StrEnum", "Flag")
        for base in cls.bases
    )


def _dispatched(frame: Frame, node: ast.Call) -> TV | None:
    """``handler(x)`` where ``handler = HANDLERS.get(kind)`` and HANDLERS is a module-level
    dict of functions, lambdas or ``functools.partial`` objects: every entry may run."""
    func = node.func
    ctx = frame.ctx
    if not isinstance(func, ast.Name) or frame.scope is None:
        return None
    known = ctx.functions, ctx.imports, ctx.classes, BUILTIN_NAMES
    if any(func.id in names for names in known):
        return None  # an ordinary call; only a local variable can hold a dispatched entry
    bound = ctx.assignments_in(frame.scope).get(func.id, [])
    table = sanitizers.table_of(bound[0]) if len(bound) == 1 else None
    entries = ctx.module_value(table) if table else None
    if not isinstance(entries, ast.Dict):
        return None
    results: list[TV] = []
    for entry in entries.values:
        if isinstance(entry, ast.Lambda):
            results.append(run_lambda(frame, entry, [frame.value(a) for a in node.args]))
            continue
        target, bound_args = entry, []
        if isinstance(entry, ast.Call) and ctx.qualify(entry.func) == "functools.partial":
            target, bound_args = entry.args[0], entry.args[1:]
        if isinstance(target, ast.Name) and target.id in ctx.functions:
            call = ast.Call(func=target, args=[*bound_args, *node.args], keywords=node.keywords)
            results.append(frame.value(ast.copy_location(call, node)))
    return join_all(results) if results else None


def run_lambda(frame: Frame, function: ast.Lambda, args: list[TV]) -> TV:
    """The lambda's body with its parameters bound to ``args`` (the state is restored)."""
    saved = frame.state
    frame.state = saved.copy()
    try:
        for param, value in zip(function.args.args, args, strict=False):
            name = ast.copy_location(ast.Name(id=param.arg, ctx=ast.Store()), param)
            bind(frame, name, value, None)
        return frame.value(function.body)
    finally:
        frame.state = saved


def _mapped_lambda(frame: Frame, node: ast.Call) -> TV | None:
    """``map(lambda u: fetch(client, u), urls)``: the lambda's body runs on the items (its
    calls are checked against sinks); ``filter`` keeps the items themselves."""
    func, args = node.func, node.args
    if not (
        isinstance(func, ast.Name)
        and func.id in ("map", "filter")
        and len(args) >= 2
        and isinstance(args[0], ast.Lambda)
    ):
        return None
    items = join_all([frame.value(a) for a in args[1:]])
    body = run_lambda(frame, args[0], [items] * len(args[0].args.args))
    return body if func.id == "map" else items


def _module_table(frame: Frame, base: ast.expr) -> bool:
    """A module-level table of literals not shadowed here (``sanitizers.lookup_table``)."""
    return (
        isinstance(base, ast.Name)
        and base.id not in frame.state.env
        and sanitizers.lookup_table(base, frame.ctx)
    )


def _keyed_read(
    frame: Frame, base: ast.expr, key_node: ast.expr, default: ast.expr | None
) -> TV | None:
    base_key = key_of(base)
    key = const_eval(key_node, frame.state)
    if base_key is None or key is MISSING or not isinstance(key, (str, int)):
        return None
    entry = f"{base_key}[{key!r}]"
    if entry in frame.state.env:
        return frame.state.env[entry].join(frame.value(default) if default is not None else CLEAN)
    return None
