"""Where untrusted data enters: web request objects, handler parameters, argv, stdin, environment."""

from __future__ import annotations

import ast
import re

from protosmith.analysis.taint.model import INPUT, RANDOM, TV, Origin

REQUEST_MODULES = ("flask", "quart", "werkzeug", "bottle", "sanic", "starlette", "fastapi")
REQUEST_PARAM_NAMES = frozenset({"request", "req"})
REQUEST_ANNOTATIONS = frozenset({"Request", "HttpRequest", "WSGIRequest", "ASGIRequest"})

CLEAN_REQUEST_ATTRS = frozenset(
    {
        "method",
        "is_secure",
        "is_json",
        "scheme",
        "endpoint",
        "blueprint",
        "url_rule",
        "remote_addr",
        "user",
        "session",
        "content_length",
        "is_ajax",
        "csrf_processing_done",
        "mimetype",
        "app",
        "state",
    }
)
"""Request attributes an attacker cannot shape into an injection payload (or handled elsewhere)."""

OWN_URL_ATTRS = frozenset(
    {"path", "full_path", "url", "base_url", "url_root", "script_root", "host_url", "path_info"}
)
"""The request's own URL: redirecting back to it cannot leave the site (login round trips)."""
OWN_URL_METHODS = frozenset({"get_full_path", "get_full_path_info", "build_absolute_uri"})
OWN_URL_BUILDERS = {
    "starlette.datastructures.URL": "scope",
    "wsgiref.util.request_uri": "",
    "werkzeug.wsgi.get_current_url": "",
}
"""Calls that build the request's own URL (from the keyword named, or from any argument)."""

SAFE_PARAM_ANNOTATIONS = frozenset(
    {"int", "float", "bool", "UUID", "uuid.UUID", "date", "datetime", "Decimal", "Session"}
)
"""FastAPI parameters of these types are converted and validated before the handler runs."""

ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "head", "options", "websocket", "api_route"}
)

HANDLER_BASES = frozenset(
    {
        "http.server.BaseHTTPRequestHandler",
        "http.server.SimpleHTTPRequestHandler",
        "http.server.CGIHTTPRequestHandler",
        "BaseHTTPServer.BaseHTTPRequestHandler",
        "SimpleHTTPServer.SimpleHTTPRequestHandler",
        "socketserver.StreamRequestHandler",
        "socketserver.DatagramRequestHandler",
        "socketserver.BaseRequestHandler",
        "wsgiref.simple_server.WSGIRequestHandler",
    }
)
"""Request handler classes of the standard library: their ``self.path``, ``self.headers``,
``self.rfile`` (and a socketserver handler's ``self.request``) are what the client sent."""
HANDLER_ATTRS = frozenset({"path", "headers", "rfile", "requestline", "raw_requestline", "request"})
WEB_MODULES = frozenset(
    {
        *REQUEST_MODULES,
        "django",
        "rest_framework",
        "tornado",
        "aiohttp",
        "pyramid",
        "falcon",
        "cherrypy",
        "web",
        "webapp2",
        "http",
        "wsgiref",
        "socketserver",
        "cgi",
        "ninja",
        "litestar",
        "channels",
    }
)
"""Top-level packages of web frameworks and servers: a module importing none of them has no
web request, so a parameter merely named ``request`` there (an HTTP client's outgoing
request, a prepared request object) is not one."""
HTTP_CLIENT_MODULES = frozenset({"requests", "httpx", "urllib3", "httplib2", "aiohttp.client"})

CALL_SOURCES: dict[str, str] = {
    "cgi.FieldStorage": "CGI form data",
    "cgi.parse": "CGI form data",
    "cgi.parse_qs": "CGI query",
    "input": "input()",
    "raw_input": "raw_input()",
    "os.getenv": "environment variable",
    "os.environ.get": "environment variable",
    "os.getenvb": "environment variable",
    "sys.stdin.read": "standard input",
    "sys.stdin.readline": "standard input",
    "sys.stdin.readlines": "standard input",
}
ATTR_SOURCES: dict[str, str] = {"sys.argv": "sys.argv", "os.environ": "os.environ"}
INVOCATION = frozenset({"environment variable", "os.environ", "sys.argv"})
"""Descriptions of the origins set by whoever starts the process (see ``from_invocation``)."""
SOCKET_METHODS = frozenset({"recv", "recvfrom", "recv_into", "recvmsg"})
TORNADO_METHODS = frozenset(
    {"get_argument", "get_arguments", "get_query_argument", "get_body_argument", "get_cookie"}
)
FILE_READ_METHODS = frozenset({"read", "readline", "readlines", "read_text", "read_bytes"})

RANDOM_FUNCS = frozenset(
    {
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "sample",
        "shuffle",
        "uniform",
        "getrandbits",
        "randbytes",
        "normalvariate",
        "gauss",
        "triangular",
        "betavariate",
        "expovariate",
        "gammavariate",
        "lognormvariate",
        "paretovariate",
        "vonmisesvariate",
        "weibullvariate",
        "rand",
        "randn",
        "random_sample",
        "bytes",
    }
)


def describe(node: ast.AST, limit: int = 60) -> str:
    """Short source text of a node for messages."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def origin_at(node: ast.AST, description: str, *, kind: str = INPUT, web: bool = True) -> TV:
    """A value tainted by a single origin located at ``node``."""
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    return TV.of(frozenset({Origin(kind, description, line, col, web)}))


def from_invocation(origin: Origin) -> bool:
    """True for an origin in the process environment or its command line (also when a helper
    returned it).

    Whoever starts a program already chooses what it runs and which files it may touch (PATH,
    LD_PRELOAD, its own arguments), so ``TOOL=/usr/bin/x`` or ``tool.py FILE`` is configuration
    where a program or a path is expected, not an injection."""
    return origin.description.split(" (returned by ", 1)[0] in INVOCATION


def random_source(qname: str | None) -> bool:
    """True for module-level PRNG calls of ``random`` or ``numpy.random`` (not SystemRandom),
    and for the methods of a generator kept under a PRNG-like name (``self._rng.getrandbits``,
    ``rng = random.Random(seed)`` then ``rng.choice``)."""
    if not qname:
        return False
    for prefix in ("random.", "numpy.random.", "np.random."):
        if qname.startswith(prefix):
            rest = qname[len(prefix) :]
            return rest in RANDOM_FUNCS
    receiver, _, method = qname.rpartition(".")
    holder = receiver.rpartition(".")[2].lower()
    return (
        method in RANDOM_FUNCS
        and ("rng" in holder or holder.strip("_") in ("random", "prng", "rand"))
        and not any(word in holder for word in ("sys", "secure", "crypt"))
    )


def random_origin(node: ast.AST) -> TV:
    """Origin for a weak PRNG call."""
    return origin_at(node, describe(node), kind=RANDOM)


def is_route_decorator(decorator: ast.expr) -> bool:
    """``@app.route(...)``, ``@router.get(...)``, ``@bp.post(...)`` and similar."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS


ROUTE_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")
NUMERIC_CONVERTERS = frozenset({"int", "float", "uuid"})


def route_parameters(decorators: list[ast.expr]) -> set[str]:
    """Names a Flask or Bottle route fills from the URL path (``@app.route("/d/<path:name>")``)."""
    names: set[str] = set()
    for decorator in decorators:
        if isinstance(decorator, ast.Call) and is_route_decorator(decorator) and decorator.args:
            rule = decorator.args[0]
            if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                names.update(
                    name
                    for converter, name in ROUTE_PLACEHOLDER.findall(rule.value)
                    if converter not in NUMERIC_CONVERTERS  # ``<int:id>`` arrives as a number
                )
    return names


def annotation_name(annotation: ast.expr | None) -> str:
    """The last dotted component of an annotation (``Annotated[int, ...]`` gives ``int``)."""
    if annotation is None:
        return ""
    if isinstance(annotation, ast.Subscript):
        base = annotation_name(annotation.value)
        if base in ("Annotated", "Optional"):
            inner = annotation.slice
            if isinstance(inner, ast.Tuple) and inner.elts:
                inner = inner.elts[0]
            return annotation_name(inner)
        return base
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Attribute):
        return annotation.attr
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.rsplit(".", 1)[-1]
    return ""


def default_is_dependency(default: ast.expr | None) -> bool:
    """FastAPI ``Depends(...)``/``Security(...)`` parameters are not request data."""
    if isinstance(default, ast.Call):
        func = default.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in ("Depends", "Security")
    return False
