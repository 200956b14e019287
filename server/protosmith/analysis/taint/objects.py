"""What kind of object an expression holds: list elements, XML parsers and parsed trees, HTTP
client sessions, web sessions (the sinks ask; assignments record it in ``State.objects``)."""

from __future__ import annotations

import ast
import re

from protosmith.analysis.taint import sinks, sources, templates
from protosmith.analysis.taint.calls import CallEvaluator
from protosmith.analysis.taint.evaluate import XML_PARSE_PREFIXES
from protosmith.analysis.taint.model import TV
from protosmith.analysis.taint.state import MISSING, const_eval, key_of

HTTP_CLIENT_NAME = re.compile(r"^(\w+_)?(client|session|http|sess)$", re.IGNORECASE)
"""Names an HTTP client session usually goes by, in a module that uses an HTTP library (a
client handed in as a parameter or attribute has no constructor to recognize it by)."""
OTHER_CLIENT = re.compile(r"db|sql|redis|cache|mongo|boto|s3|ldap|smtp|mail|grpc", re.IGNORECASE)


class ObjectKinds(CallEvaluator):
    """Recognizes the objects sinks and effects care about."""

    def list_values(self, node: ast.expr) -> list[TV] | None:
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return None
            return [self.eval(e) for e in node.elts]
        if isinstance(node, ast.Name) and node.id in self.state.lists:
            return list(self.state.lists[node.id])
        return None

    def template_unescaped(self, name: str) -> frozenset[str]:
        """Variables the template ``name`` prints unescaped (needs the reviewed root)."""
        project = self.ctx.project
        if project is None:
            return frozenset()
        return templates.unescaped_names(name, project.root / project.path, project.root)

    def parser_state(self, node: ast.expr) -> str:
        if isinstance(node, ast.Call):
            return self._parser_kind(node) or ""
        key = key_of(node)
        return self.state.parsers.get(key, "") if key else ""

    def is_http_client(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call):
            return self.ctx.qualify(node.func) in sinks.HTTP_CLIENTS
        key = key_of(node)
        if key is not None and self.state.objects.get(key) == "http":
            return True
        imported = self.ctx.imports.get(node.id, "") if isinstance(node, ast.Name) else ""
        if imported.startswith(("flask.", "quart.", "django.", "starlette.")):
            return False  # flask's ``session``: the user's web session, no HTTP client
        owner = node.value if isinstance(node, ast.Attribute) else None
        if isinstance(owner, ast.Name) and (
            owner.id in self.request_names or owner.id in sources.REQUEST_PARAM_NAMES
        ):
            return False  # Django's ``request.session``
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        if not HTTP_CLIENT_NAME.match(name) or OTHER_CLIENT.search(name):
            return False
        libraries = {q.split(".")[0] for q in self.ctx.imports.values()}
        return bool(libraries & {"requests", "httpx", "aiohttp", "urllib3"})

    def is_xml_object(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr == "getroot":
                return True
            qname = self.ctx.qualify(node.func) or ""
            return qname.startswith(XML_PARSE_PREFIXES)
        key = key_of(node)
        return self.state.objects.get(key) == "xml" if key else False

    def code_file(self, node: ast.expr) -> str:
        if isinstance(node, ast.Call):
            scope = self.scope
            return sinks.code_file(node, self.ctx.assignments_in(scope) if scope else {})
        key = key_of(node)
        return self.state.objects.get(f"{key}:code", "") if key else ""

    def first_constant(self, node: ast.expr) -> object:
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            value = const_eval(node.elts[0], self.state)
            return None if value is MISSING else value
        if isinstance(node, ast.Name):
            return self.state.consts.get(f"{node.id}[0]")
        return None

    def _parser_kind(self, call: ast.Call, depth: int = 0) -> str | None:
        qname = self.ctx.qualify(call.func) or ""
        factory = self.ctx.functions.get(qname) if isinstance(call.func, ast.Name) else None
        if factory is not None and depth < 3:  # ``parser=make_parser()``: what it returns
            memo = self.ctx.parser_factories
            if qname not in memo:
                kinds = {
                    self._parser_kind(n.value, depth + 1) if isinstance(n.value, ast.Call) else None
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

    def _is_session(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return "session" in node.id.lower() and not node.id.lower().startswith(("db", "sql"))
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "session"
            and not (isinstance(node.value, ast.Name) and node.value.id == "db")
        )
