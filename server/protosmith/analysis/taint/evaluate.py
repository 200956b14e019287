"""Expression evaluation over the taint lattice: how values (and their taint) are built."""

from __future__ import annotations

import ast
import builtins
import re
from typing import cast

from protosmith.analysis.taint import sanitizers, sinks, sources
from protosmith.analysis.taint.instances import held_class
from protosmith.analysis.taint.model import CLEAN, TV, join_all
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
BUILTIN_NAMES = frozenset(dir(builtins))
ARCHIVES = frozenset({"zipfile.ZipFile", "tarfile.open", "tarfile.TarFile"})
"""Path sinks whose result still carries the input: an uploaded archive's member names."""
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

    def _readable_method(self, func: ast.expr) -> bool:
        """``repo.search(q)`` where ``repo`` holds a class of the tree that defines ``search``:
        its summary says what it does, so its name is no sink (it is no LDAP ``search``)."""
        cls = self.instance_of(func)
        if cls is None or not isinstance(func, ast.Attribute):
            return False
        method = f"{cls}.{func.attr}"
        if "." not in cls:
            return method in self.ctx.functions
        project = self.ctx.project
        return project is not None and project.resolve(method) is not None

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

    def _request_root(self, node: ast.expr) -> str:
        """'source' for request data, 'clean' for harmless request attributes, '' otherwise."""
        current = node
        first_attr = ""
        while True:
            if isinstance(current, ast.Attribute):
                if (
                    isinstance(current.value, ast.Name)
                    and current.value.id == "self"
                    and current.attr == "request"
                ):
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
            return CLEAN if root == "clean" else sources.origin_at(node, sources.describe(node))
        qname = self.ctx.qualify(node)
        if qname in sources.ATTR_SOURCES:
            return sources.origin_at(node, sources.ATTR_SOURCES[qname], web=False)
        key = key_of(node)
        if key is not None and key in self.state.env:
            return self.state.env[key]
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
        parts: list[ast.expr] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
            parts.insert(0, current.right)
            current = current.left
        parts.insert(0, current)
        if self._fixed_host(parts):
            value = value.sanitized(frozenset({"redirect", "ssrf"}))
        return value

    def _enum_class(self, func: ast.expr) -> bool:
        """``Currency(value)``: an Enum of this module accepts only its own members' values."""
        cls = self.ctx.classes.get(func.id) if isinstance(func, ast.Name) else None
        return cls is not None and any(
            ast.unparse(base).rsplit(".", 1)[-1] in ("Enum", "IntEnum", "StrEnum", "Flag")
            for base in cls.bases
        )

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

    def _dispatched(self, node: ast.Call) -> TV | None:
        """``handler(x)`` where ``handler = HANDLERS.get(kind)`` and HANDLERS is a module-level
        dict of functions, lambdas or ``functools.partial`` objects: every entry may run."""
        func = node.func
        if not isinstance(func, ast.Name) or self.scope is None:
            return None
        known = self.ctx.functions, self.ctx.imports, self.ctx.classes, BUILTIN_NAMES
        if any(func.id in names for names in known):
            return None  # an ordinary call; only a local variable can hold a dispatched entry
        bound = self.ctx.assignments_in(self.scope).get(func.id, [])
        table = sanitizers.table_of(bound[0]) if len(bound) == 1 else None
        entries = self.ctx.module_value(table) if table else None
        if not isinstance(entries, ast.Dict):
            return None
        results: list[TV] = []
        for entry in entries.values:
            if isinstance(entry, ast.Lambda):
                results.append(self._run_lambda(entry, [self.eval(a) for a in node.args]))
                continue
            target, bound_args = entry, []
            if isinstance(entry, ast.Call) and self.ctx.qualify(entry.func) == "functools.partial":
                target, bound_args = entry.args[0], entry.args[1:]
            if isinstance(target, ast.Name) and target.id in self.ctx.functions:
                call = ast.Call(func=target, args=[*bound_args, *node.args], keywords=node.keywords)
                results.append(self.eval(ast.copy_location(call, node)))
        return join_all(results) if results else None

    def _run_lambda(self, function: ast.Lambda, args: list[TV]) -> TV:
        saved = self.state
        self.state = saved.copy()
        try:
            for param, value in zip(function.args.args, args, strict=False):
                name = ast.copy_location(ast.Name(id=param.arg, ctx=ast.Store()), param)
                self.bind(name, value, None)
            return self.eval(function.body)
        finally:
            self.state = saved

    def _mapped_lambda(self, node: ast.Call) -> TV | None:
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
        items = join_all([self.eval(a) for a in args[1:]])
        saved = self.state
        self.state = saved.copy()
        try:
            for param in args[0].args.args:
                name = ast.copy_location(ast.Name(id=param.arg, ctx=ast.Store()), param)
                self.bind(name, items, None)
            body = self.eval(args[0].body)
        finally:
            self.state = saved
        return body if func.id == "map" else items

    def _eval_Dict(self, node: ast.Dict) -> TV:
        return join_all([self.eval(v) for v in node.values])

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> TV:
        saved = self.state
        self.state = saved.copy()
        for generator in node.generators:
            self.bind(generator.target, self.eval(generator.iter), None)
            for condition in generator.ifs:  # ``[c for c in cols if c in ALLOWED]``
                self.eval(condition)
                self.state = self.refined(self.state, condition, True)
        if isinstance(node, ast.DictComp):
            result = self.eval(node.key).join(self.eval(node.value))
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
    def _eval_Call(self, node: ast.Call) -> TV:
        root = self._request_root(node)
        if root:
            for arg in node.args:
                self.eval(arg)
            return CLEAN if root == "clean" else sources.origin_at(node, sources.describe(node))
        func = node.func
        mapped = self._mapped_lambda(node)
        if mapped is None:
            mapped = self._dispatched(node)
        if mapped is not None:
            return mapped
        qname = self.ctx.qualify(func)
        short = (
            func.attr
            if isinstance(func, ast.Attribute)
            else func.id
            if isinstance(func, ast.Name)
            else ""
        )
        receiver = self.eval(func.value) if isinstance(func, ast.Attribute) else CLEAN
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        hits = (
            []
            if self._readable_method(func)
            else sinks.sink_hits(node, qname, short, cast("sinks.Evaluator", self))
        )
        for hit in hits:
            if hit.value.tainted:
                self.report(
                    hit.kind, node, hit.value, hit.sink, origin_kind=hit.origin_kind, through=node
                )
        self.call_effects(node, qname, short, receiver, args, kwargs)
        if hits and not short.startswith(("text", "TextClause")) and qname not in ARCHIVES:
            return CLEAN  # an archive's members stay untrusted (zip slip)
        return self.call_result(node, qname, short, receiver, args, kwargs)

    def call_effects(
        self,
        node: ast.Call,
        qname: str | None,
        short: str,
        receiver: TV,
        args: list[TV],
        kwargs: dict[str | None, TV],
    ) -> None:
        """Mutations of containers and parsers, session stores and cookies (statement analyzer)."""

    def call_result(
        self,
        node: ast.Call,
        qname: str | None,
        short: str,
        receiver: TV,
        args: list[TV],
        kwargs: dict[str | None, TV],
    ) -> TV:
        """Taint of a call's result."""
        name = qname or short
        if name in sources.CALL_SOURCES:
            return sources.origin_at(node, sources.CALL_SOURCES[name], web=False)
        if short in sources.SOCKET_METHODS:
            return sources.origin_at(node, f"socket {short}()", web=False)
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
            if isinstance(base, ast.Call) and (self.ctx.qualify(base.func) or "") in (
                "open",
                "io.open",
                "pathlib.Path",
            ):
                return sources.origin_at(node, "file read", web=False)
        if self.instance_of(node.func) is not None:
            # A method of a class we can read beats guessing from its name (str.find, escape...).
            method_value = self.apply_summary(node, short, receiver, args, kwargs)
            if method_value is not None:
                return method_value
        if (
            short == "render"
            and isinstance(node.func, ast.Attribute)
            and sanitizers.autoescaped(node.func.value, self.ctx)
        ):
            return everything.sanitized(frozenset({"xss"}))
        host = sanitizers.url_host_parts(node, qname)
        if host is not None and not any(self.eval(p).dangerous_for("ssrf") for p in host):
            return everything.sanitized(frozenset({"ssrf", "redirect"}))
        template = sanitizers.escaping_template(node, qname, self._is_markup)
        if template is not None:
            others = [v for a, v in zip(node.args, args, strict=False) if a is not template]
            escaped = join_all([*others, *kwargs.values()]).sanitized(frozenset({"xss"}))
            return self.eval(template).join(escaped)
        if sanitizers.orm_lookup(node.func) or self._enum_class(node.func):
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
            and self._module_table(node.func.value)
        ):
            default = node.args[1] if len(node.args) > 1 else None
            return self.eval(default) if default is not None else CLEAN
        if (
            isinstance(node.func, ast.Attribute)
            and short in ("get", "pop", "setdefault")
            and node.args
        ):
            keyed = self._keyed_read(
                node.func.value, node.args[0], node.args[1] if len(node.args) > 1 else None
            )
            if keyed is not None:
                return keyed
        if short == "get" and len(node.args) == 2 and isinstance(node.func, ast.Attribute):
            config = key_of(node.func.value)
            section = const_eval(node.args[0], self.state)
            option = const_eval(node.args[1], self.state)
            if config and section is not MISSING and option is not MISSING:
                entry = f"{config}[{(section, option)!r}]"
                if entry in self.state.env:
                    return self.state.env[entry]
        summary_value = self.apply_summary(node, short, receiver, args, kwargs)
        if summary_value is not None:
            return summary_value
        return everything

    def _module_table(self, base: ast.expr) -> bool:
        """A module-level table of literals not shadowed here (``sanitizers.lookup_table``)."""
        return (
            isinstance(base, ast.Name)
            and base.id not in self.state.env
            and sanitizers.lookup_table(base, self.ctx)
        )

    def _keyed_read(
        self, base: ast.expr, key_node: ast.expr, default: ast.expr | None
    ) -> TV | None:
        base_key = key_of(base)
        key = const_eval(key_node, self.state)
        if base_key is None or key is MISSING or not isinstance(key, (str, int)):
            return None
        entry = f"{base_key}[{key!r}]"
        if entry in self.state.env:
            return self.state.env[entry].join(self.eval(default) if default is not None else CLEAN)
        return None

    def apply_summary(
        self, node: ast.Call, short: str, receiver: TV, args: list[TV], kwargs: dict[str | None, TV]
    ) -> TV | None:
        """Result of a same-module function call (overridden by the statement analyzer)."""
        return None
