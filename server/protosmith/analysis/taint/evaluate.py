"""Expression evaluation over the taint lattice: how values (and their taint) are built."""

from __future__ import annotations

import ast
import re

import protosmith.analysis.taint.sanitizers as sanitizers
import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.instances import held_class
from protosmith.analysis.taint.model import CLEAN, KEYS, TV, join_all
from protosmith.analysis.taint.reporting import Reporter
from protosmith.analysis.taint.state import MISSING, State, const_eval, key_of

SAFE_PREFIX = re.compile(r"^(/[^/\\]|https?://[^/]+/)")
"""A URL built after this constant prefix keeps a fixed host (no open redirect, no SSRF)."""
MUTATORS = frozenset(
    {"append", "extend", "insert", "add", "update", "write", "writelines", "appendleft", "put"}
)
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
XML_PARSE_PREFIXES = ("xml.", "lxml.", "defusedxml.")


class Evaluator(Reporter):
    """Evaluates expressions in ``self.state`` and reports sink hits (base of the function analyzer)."""

    request_names: set[str]
    instances: dict[str, str]
    owner: str
    scope: ast.AST | None
    """Local names known to hold an instance of a class (``instances.py``)."""

    @property
    def imports(self) -> dict[str, str]:
        return self.ctx.imports

    def instance_of(self, func: ast.expr) -> str | None:
        """The class of the object a method is called on (``repo.find``, ``self.repo.find``)."""
        return held_class(self.ctx, func, self.instances)

    def value(self, node: ast.expr) -> TV:
        return self.eval(node)

    # -- expressions --------------------------------------------------------------------------
    def eval(self, node: ast.expr) -> TV:
        """Taint of ``node``; calls inside it are checked against sinks as a side effect."""
        method = getattr(self, f"_eval_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        return join_all(
            [
                self.eval(child)
                for child in ast.iter_child_nodes(node)
                if isinstance(child, ast.expr)
            ]
        )

    def _eval_Constant(self, node: ast.Constant) -> TV:
        return CLEAN

    def _stdlib_handler(self) -> bool:
        """Whether the method being analyzed belongs to an ``http.server``/``socketserver``
        request handler (its class, or a class of this module it derives from)."""
        seen: set[str] = set()
        pending = [self.owner] if self.owner else []
        while pending:
            name = pending.pop()
            cls = self.ctx.classes.get(name)
            if cls is None or name in seen:
                continue
            seen.add(name)
            for base in cls.bases:
                qualified = self.ctx.qualify(base) or ""
                if qualified in sources.HANDLER_BASES:
                    return True
                pending.append(qualified)
        return False

    def _request_root(self, node: ast.expr) -> str:
        """'source' for request data, 'clean' for harmless request attributes, '' otherwise."""
        current = node
        first_attr = ""
        while True:
            if isinstance(current, ast.Attribute):
                on_self = isinstance(current.value, ast.Name) and current.value.id == "self"
                if on_self and current.attr in sources.HANDLER_ATTRS and self._stdlib_handler():
                    return "source"
                if on_self and current.attr == "request":
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
            and current.id in self.request_names
            and current.id not in self.state.env
        ):
            return "clean" if first_attr in sources.CLEAN_REQUEST_ATTRS else "source"
        return ""

    def _eval_Name(self, node: ast.Name) -> TV:
        if node.id in self.state.env:
            return self.state.env[node.id]
        if node.id in self.request_names:
            return sources.origin_at(node, node.id)
        return self.ctx.globals.get(node.id, CLEAN)

    def _eval_Attribute(self, node: ast.Attribute) -> TV:
        root = self._request_root(node)
        if root:
            if root == "clean":
                return CLEAN
            value = sources.origin_at(node, sources.describe(node))
            if node.attr in sources.OWN_URL_ATTRS:  # the request's own URL: same host
                value = value.sanitized(frozenset({"redirect"}))
            return value
        qname = self.ctx.qualify(node)
        if qname in sources.ATTR_SOURCES:
            return sources.origin_at(node, sources.ATTR_SOURCES[qname], web=False)
        key = key_of(node)
        if key is not None and key in self.state.env:
            return self.state.env[key]
        if node.attr in ("cleaned_data", "validated_data"):  # a Django form's, a DRF serializer's
            return self.eval(node.value).sanitized(frozenset({"trustbound"}))
        if self.owner and key is not None and key.startswith("self."):
            shared = self.ctx.attributes.get(f"{self.owner}.{key.removeprefix('self.')}")
            if shared is not None:
                return shared
        return self.eval(node.value)

    def _eval_Subscript(self, node: ast.Subscript) -> TV:
        root = self._request_root(node)
        if root:
            return CLEAN if root == "clean" else sources.origin_at(node, sources.describe(node))
        key = key_of(node)
        if key is not None and key in self.state.env:
            return self.state.env[key]
        base = node.value
        if isinstance(base, ast.Name) and base.id in self.state.lists:
            index = const_eval(node.slice, self.state)
            items = self.state.lists[base.id]
            if isinstance(index, int) and -len(items) <= index < len(items):
                return items[index]
        if isinstance(node.slice, ast.Slice):
            self.eval(node.slice)
        return self.eval(base)

    def _eval_JoinedStr(self, node: ast.JoinedStr) -> TV:
        value = join_all(
            [self.eval(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
        )
        if value.tainted and self._fixed_host(node.values):
            value = value.sanitized(frozenset({"redirect", "ssrf"}))
        return value

    def _eval_BinOp(self, node: ast.BinOp) -> TV:
        if isinstance(node.op, ast.Mod) and self._is_markup(node.left):  # Markup("<b>%s</b>") % x
            return self.eval(node.left).join(self.eval(node.right).sanitized(frozenset({"xss"})))
        value = self.eval(node.left).join(self.eval(node.right))
        if not value.tainted:
            return value
        if isinstance(node.op, ast.Mod):  # "https://host/%s" % x keeps the host
            template = const_eval(node.left, self.state)
            fixed = isinstance(template, str) and SAFE_PREFIX.match(template.split("%", 1)[0])
            return value.sanitized(frozenset({"redirect", "ssrf"})) if fixed else value
        parts: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            parts.insert(0, current.right)
            current = current.left
        parts.insert(0, current)
        if self._fixed_host(parts):
            value = value.sanitized(frozenset({"redirect", "ssrf"}))
        return value

    def _is_markup(self, node: ast.expr) -> bool:
        """``Markup(...)`` itself (its text is checked where it is built, as an XSS sink)."""
        return isinstance(node, ast.Call) and self.ctx.qualify(node.func) in sanitizers.MARKUP

    def _fixed_host(self, parts: list[ast.expr]) -> bool:
        """Whether a URL built from ``parts`` has a host no request chose: it starts with a
        constant ``https://host/`` or ``/path``, or with a clean value (a base URL from a
        table or configuration) followed by ``/`` (``f"{base}/{quote(x)}"``)."""
        if SAFE_PREFIX.match(self._leading_text(parts)):
            return True
        if len(parts) < 2:
            return False
        first, second = parts[0], parts[1]
        head = first.value if isinstance(first, ast.FormattedValue) else first
        return (
            isinstance(second, ast.Constant)
            and isinstance(second.value, str)
            and second.value.startswith("/")
            and not second.value.startswith("//")
            and not self.eval(head).tainted
            and const_eval(head, self.state) is MISSING  # a constant was judged above
        )

    def _leading_text(self, parts: list[ast.expr]) -> str:
        """The constant text a string being built starts with (``f"{API_BASE}/users/{x}"`` →
        ``https://api.example.com/users/`` when ``API_BASE`` is a constant)."""
        text = ""
        for part in parts:
            if isinstance(part, ast.FormattedValue):
                plain = part.conversion == -1 and part.format_spec is None
                constant = const_eval(part.value, self.state) if plain else MISSING
            else:
                constant = const_eval(part, self.state)
            if not isinstance(constant, str):
                break
            text += constant
        return text

    def _eval_Compare(self, node: ast.Compare) -> TV:
        self.eval(node.left)
        for comparator in node.comparators:
            self.eval(comparator)
        return CLEAN

    def _eval_UnaryOp(self, node: ast.UnaryOp) -> TV:
        value = self.eval(node.operand)
        return CLEAN if isinstance(node.op, ast.Not) else value

    def _eval_IfExp(self, node: ast.IfExp) -> TV:
        test = const_eval(node.test, self.state)
        if test is not MISSING:
            return self.eval(node.body if test else node.orelse)
        self.eval(node.test)
        before = self.state
        try:  # ``code if code in SUPPORTED else None``: each side under what the test proves
            self.state = self.refined(before, node.test, True)
            body = self.eval(node.body)
            self.state = self.refined(before, node.test, False)
            return body.join(self.eval(node.orelse))
        finally:
            self.state = before

    def refined(self, state: State, test: ast.expr, positive: bool) -> State:
        """``state`` with what ``test`` being ``positive`` proves (the statement analyzer's)."""
        return state

    def _eval_Lambda(self, node: ast.Lambda) -> TV:
        return CLEAN

    def _eval_Dict(self, node: ast.Dict) -> TV:
        values = join_all([self.eval(v) for v in node.values])
        if all(isinstance(k, ast.Constant) for k in node.keys):
            return values.sanitized(frozenset({KEYS}))  # its keys are the literal ones
        return values

    def bind_iteration(self, target: ast.expr, iterable: ast.expr, value: TV) -> None:
        """Bind a loop variable: ``for k, v in d.items()`` gives ``k`` the taint of the keys
        only (``{"name": x}`` has clean keys), ``for k in d.keys()`` likewise."""
        func = iterable.func if isinstance(iterable, ast.Call) else None
        method = func.attr if isinstance(func, ast.Attribute) else ""
        if isinstance(iterable, ast.Name) and self.state.objects.get(iterable.id) == "file":
            value = value.join(sources.origin_at(iterable, "file read", web=False))
        if method == "items" and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            self.bind(target.elts[0], value.keys_part(), None)
            self.bind(target.elts[1], value, None)
        else:
            self.bind(target, value.keys_part() if method == "keys" else value, None)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> TV:
        saved = self.state
        self.state = saved.copy()
        for generator in node.generators:
            self.bind_iteration(generator.target, generator.iter, self.eval(generator.iter))
            for condition in generator.ifs:  # ``[c for c in cols if c in ALLOWED]``
                self.eval(condition)
                self.state = self.refined(self.state, condition, True)
        if isinstance(node, ast.DictComp):
            keys = self.eval(node.key)
            result = keys.join(self.eval(node.value).sanitized(frozenset({KEYS})))
        else:
            result = self.eval(node.elt)
        self.state = saved
        return result

    _eval_ListComp = _eval_SetComp = _eval_GeneratorExp = _eval_DictComp = _comprehension

    def _eval_NamedExpr(self, node: ast.NamedExpr) -> TV:
        value = self.eval(node.value)
        self.bind(node.target, value, node.value)
        return value

    def bind(self, target: ast.expr, value: TV, source: ast.expr | None) -> None:
        """Assign ``value`` to ``target`` (overridden by the statement analyzer)."""
        raise NotImplementedError

    # -- calls ------------------------------------------------------------------------------
