"""What kind of object an expression holds: list elements, XML parsers and parsed trees, HTTP
client sessions, files, web sessions, markup (the sinks ask; assignments record it in
``State.objects`` and ``State.parsers``)."""

from __future__ import annotations

import ast
import re

import protosmith.analysis.taint.sanitizers as sanitizers
import protosmith.analysis.taint.sinks as sinks
import protosmith.analysis.taint.sources as sources
import protosmith.analysis.taint.templates as templates
from protosmith.analysis.taint.context import ModuleContext
from protosmith.analysis.taint.frame import Frame
from protosmith.analysis.taint.model import TV
from protosmith.analysis.taint.state import MISSING, State, const_eval, key_of

HTTP_CLIENT_NAME = re.compile(r"^(\w+_)?(client|session|http|sess)$", re.IGNORECASE)
"""Names an HTTP client session usually goes by, in a module that uses an HTTP library (a
client handed in as a parameter or attribute has no constructor to recognize it by)."""
OTHER_CLIENT = re.compile(r"db|sql|redis|cache|mongo|boto|s3|ldap|smtp|mail|grpc", re.IGNORECASE)
XML_PARSE_PREFIXES = ("xml.", "lxml.", "defusedxml.")
FILE_OPENERS = frozenset(
    {
        "open",
        "io.open",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryFile",
        "tempfile.SpooledTemporaryFile",
    }
)


def list_values(frame: Frame, node: ast.expr) -> list[TV] | None:
    """Element taints of a list literal or precisely tracked list variable."""
    if isinstance(node, (ast.List, ast.Tuple)):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return None
        return [frame.value(e) for e in node.elts]
    if isinstance(node, ast.Name) and node.id in frame.state.lists:
        return list(frame.state.lists[node.id])
    return None


def template_unescaped(ctx: ModuleContext, name: str) -> frozenset[str]:
    """Variables the template ``name`` prints unescaped (needs the reviewed root)."""
    project = ctx.project
    if project is None:
        return frozenset()
    return templates.unescaped_names(name, project.root / project.path, project.root)


def parser_state(frame: Frame, node: ast.expr) -> str:
    """'xxe' for an XML parser with external entities enabled, 'safe', or ''."""
    if isinstance(node, ast.Call):
        return parser_kind(frame.ctx, node) or ""
    key = key_of(node)
    return frame.state.parsers.get(key, "") if key else ""


def is_http_client(frame: Frame, node: ast.expr) -> bool:
    """Whether ``node`` is (or names) an HTTP client session (requests, httpx, aiohttp)."""
    ctx = frame.ctx
    if isinstance(node, ast.Call):
        return ctx.qualify(node.func) in sinks.HTTP_CLIENTS
    key = key_of(node)
    if key is not None and frame.state.objects.get(key) == "http":
        return True
    imported = ctx.imports.get(node.id, "") if isinstance(node, ast.Name) else ""
    if imported.startswith(("flask.", "quart.", "django.", "starlette.")):
        return False  # flask's ``session``: the user's web session, no HTTP client
    owner = node.value if isinstance(node, ast.Attribute) else None
    if isinstance(owner, ast.Name) and (
        owner.id in frame.request_names or owner.id in sources.REQUEST_PARAM_NAMES
    ):
        return False  # Django's ``request.session``
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    if not HTTP_CLIENT_NAME.match(name) or OTHER_CLIENT.search(name):
        return False
    libraries = {q.split(".")[0] for q in ctx.imports.values()}
    return bool(libraries & {"requests", "httpx", "aiohttp", "urllib3"})


def is_xml_object(frame: Frame, node: ast.expr) -> bool:
    """Whether ``node`` is (or names) a parsed XML tree or element."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "getroot":
            return True
        qname = frame.ctx.qualify(node.func) or ""
        return qname.startswith(XML_PARSE_PREFIXES)
    key = key_of(node)
    return frame.state.objects.get(key) == "xml" if key else False


def first_constant(state: State, node: ast.expr) -> object:
    """The constant first element of a list literal or tracked list variable, else None."""
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        value = const_eval(node.elts[0], state)
        return None if value is MISSING else value
    if isinstance(node, ast.Name):
        return state.consts.get(f"{node.id}[0]")
    return None


def parser_kind(ctx: ModuleContext, call: ast.Call, depth: int = 0) -> str | None:
    """What XML parser a call makes: 'xxe' (external entities resolved), 'safe', 'sax', or
    None for no parser; a same-module factory counts as the parser it returns."""
    qname = ctx.qualify(call.func) or ""
    factory = ctx.functions.get(qname) if isinstance(call.func, ast.Name) else None
    if factory is not None and depth < 3:  # ``parser=make_parser()``: what it returns
        memo = ctx.parser_factories
        if qname not in memo:
            kinds = {
                parser_kind(ctx, n.value, depth + 1) if isinstance(n.value, ast.Call) else None
                for n in ast.walk(factory)
                if isinstance(n, ast.Return)
            }
            memo[qname] = kinds.pop() if len(kinds) == 1 else None
        return memo[qname]
    if qname == "xml.sax.make_parser":
        return "sax"
    if qname in ("lxml.etree.XMLParser", "lxml.etree.XMLPullParser"):
        keywords = {k.arg: k.value for k in call.keywords}
        resolve = keywords.get("resolve_entities")
        enabled = resolve is None or not (
            isinstance(resolve, ast.Constant) and resolve.value is False
        )
        dtd = keywords.get("load_dtd")
        network = keywords.get("no_network")
        if (isinstance(dtd, ast.Constant) and dtd.value is True) or (
            isinstance(network, ast.Constant) and network.value is False
        ):
            enabled = True
        return "xxe" if enabled else "safe"
    return None


def record_object(frame: Frame, name: str, source: ast.expr) -> None:
    """Note what object ``name = source`` binds: a parser, a parsed XML tree, an HTTP client
    session or an open file (``name`` was forgotten just before)."""
    state = frame.state
    if isinstance(source, ast.Call):
        kind = parser_kind(frame.ctx, source)
        if kind:
            state.parsers[name] = kind
        if is_xml_object(frame, source):
            state.objects[name] = "xml"
        else:
            made_by = frame.ctx.qualify(source.func)
            if made_by in sinks.HTTP_CLIENTS:
                state.objects[name] = "http"
            elif made_by in FILE_OPENERS:
                state.objects[name] = "file"
                written = code_file(frame, source)
                if written:  # ``open("plugins/x.py", "w")``: writes code
                    state.objects[f"{name}:code"] = written
    elif isinstance(source, ast.Name) and source.id in state.parsers:
        state.parsers[name] = state.parsers[source.id]


def code_file(frame: Frame, node: ast.expr) -> str:
    """What ``node`` (an ``open(...)`` call, or a name bound to one) writes when that is code."""
    if isinstance(node, ast.Call):
        scope = frame.scope
        return sinks.code_file(node, frame.ctx.assignments_in(scope) if scope else {})
    key = key_of(node)
    return frame.state.objects.get(f"{key}:code", "") if key else ""


def is_session(node: ast.expr) -> bool:
    """A web session (``session``, ``request.session``), not a database session."""
    if isinstance(node, ast.Name):
        return "session" in node.id.lower() and not node.id.lower().startswith(("db", "sql"))
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "session"
        and not (isinstance(node.value, ast.Name) and node.value.id == "db")
    )


def is_markup(ctx: ModuleContext, node: ast.expr) -> bool:
    """``Markup(...)`` itself (its text is checked where it is built, as an XSS sink)."""
    return isinstance(node, ast.Call) and ctx.qualify(node.func) in sanitizers.MARKUP


class SinkView:
    """The frame as sink matching asks about it (``sinks.Evaluator``)."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame

    @property
    def imports(self) -> dict[str, str]:
        return self.frame.ctx.imports

    def value(self, node: ast.expr) -> TV:
        return self.frame.value(node)

    def list_values(self, node: ast.expr) -> list[TV] | None:
        return list_values(self.frame, node)

    def parser_state(self, node: ast.expr) -> str:
        return parser_state(self.frame, node)

    def is_http_client(self, node: ast.expr) -> bool:
        return is_http_client(self.frame, node)

    def is_xml_object(self, node: ast.expr) -> bool:
        return is_xml_object(self.frame, node)

    def template_unescaped(self, name: str) -> frozenset[str]:
        return template_unescaped(self.frame.ctx, name)

    def code_file(self, node: ast.expr) -> str:
        return code_file(self.frame, node)

    def first_constant(self, node: ast.expr) -> object:
        return first_constant(self.frame.state, node)
