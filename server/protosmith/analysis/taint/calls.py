"""Calls: sink checks, what a call returns (sources, sanitizers, summaries of the tree's own
functions and methods), and calls through tables, lambdas and ``map``."""

from __future__ import annotations

import ast
import builtins
from typing import cast

import protosmith.analysis.taint.sanitizers as sanitizers
import protosmith.analysis.taint.sinks as sinks
import protosmith.analysis.taint.sources as sources
from protosmith.analysis.taint.context import RawFinding
from protosmith.analysis.taint.evaluate import SAFE_PREFIX, Evaluator
from protosmith.analysis.taint.model import CLEAN, TV, join_all
from protosmith.analysis.taint.state import MISSING, const_eval, key_of

BUILTIN_NAMES = frozenset(dir(builtins))
ARCHIVES = frozenset({"zipfile.ZipFile", "tarfile.open", "tarfile.TarFile"})
"""Path sinks whose result still carries the input: an uploaded archive's member names."""


DJANGO_RENDERERS = frozenset({"django.template.loader.render_to_string", "django.shortcuts.render"})
"""Django renders templates with autoescaping on: their output is escaped HTML."""
UNCONFIRMED_SINKS = frozenset({"ldapi", "xpathi", "codeinj"})
"""Sink kinds bandit does not cover (LDAP, XPath, templates compiled from text): a hit with no
traced source is still reported, unconfirmed, unless every argument is a constant."""


def _built(call: ast.Call, imports: dict[str, str]) -> bool:
    """Whether a call's arguments hold a value computed at run time: a variable, an attribute
    or a call result, not a literal, an imported constant (``ldap.SCOPE_SUBTREE``) or an
    upper-case module constant."""
    for value in [*call.args, *(k.value for k in call.keywords)]:
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


def _string_method(func: ast.Attribute, node: ast.Call, short: str, result: TV) -> TV:
    """What a string method keeps from its text: ``"https://host/{}".format(x)`` keeps the
    host; ``u.replace("\\", "/")`` leaves no backslash to smuggle a host past a netloc check."""
    template = func.value
    text = template.value if isinstance(template, ast.Constant) else None
    if short == "format" and isinstance(text, str) and SAFE_PREFIX.match(text.split("{", 1)[0]):
        return result.sanitized(frozenset({"redirect", "ssrf"}))
    first = node.args[0] if node.args else None
    if short == "replace" and isinstance(first, ast.Constant) and first.value == "\\":
        return result.sanitized(frozenset({"slashes"}))
    if short == "replace" and isinstance(first, ast.Constant) and first.value in ("\n", "\r\n"):
        return result.sanitized(frozenset({"header"}))  # no line break left to split a header
    return result


class CallEvaluator(Evaluator):
    """The evaluator's calls (base of the statement-level effects)."""

    def _stored_upload(
        self, node: ast.Call, qname: str | None, short: str, receiver: TV, args: list[TV]
    ) -> TV | None:
        """An uploaded file saved to a path (``upload.save(path)``, ``shutil.copyfileobj``),
        then opened again at the same path: what is read back is the request's data."""
        path = node.args[0] if node.args else None
        if path is None:
            return None
        text = ast.unparse(path)
        if short == "save" and isinstance(node.func, ast.Attribute) and receiver.tainted:
            self.ctx.uploads.add(text)
            return None
        if qname in ("open", "io.open", "codecs.open") and text in self.ctx.uploads:
            for hit in sinks.sink_hits(node, qname, short, cast("sinks.Evaluator", self)):
                if hit.value.tainted:
                    self.report(hit.kind, node, hit.value, hit.sink, through=node)
            return sources.origin_at(node, f"a file saved from the request ({text})")
        return None

    def _django_template(self, node: ast.expr) -> bool:
        """A Django template (``loader.get_template(...)``, ``Template(...)``), directly or
        through a name bound once in this function: Django autoescapes what it renders."""
        if isinstance(node, ast.Name) and self.scope is not None:
            values = self.ctx.assignments_in(self.scope).get(node.id, [])
            node = values[0] if len(values) == 1 else node
        if not isinstance(node, ast.Call):
            return False
        return (self.ctx.qualify(node.func) or "").startswith("django.template")

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

    def _enum_class(self, func: ast.expr) -> bool:
        """``Currency(value)``: an Enum of this module accepts only its own members' values."""
        cls = self.ctx.classes.get(func.id) if isinstance(func, ast.Name) else None
        return cls is not None and any(
            ast.unparse(base).rsplit(".", 1)[-1] in ("Enum", "IntEnum", "StrEnum", "Flag")
            for base in cls.bases
        )

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
        """The lambda's body with its parameters bound to ``args`` (the state is restored)."""
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
        body = self._run_lambda(args[0], [items] * len(args[0].args.args))
        return body if func.id == "map" else items

    def _eval_Call(self, node: ast.Call) -> TV:
        root = self._request_root(node)
        if root:
            for arg in node.args:
                self.eval(arg)
            return CLEAN if root == "clean" else sources.origin_at(node, sources.describe(node))
        func = node.func
        if isinstance(func, ast.Name) and func.id == "receive" and func.id in self.state.env:
            return self.state.env[func.id]  # an ASGI application's ``await receive()``
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
        owner = func.value if isinstance(func, ast.Attribute) else None
        if short in sources.OWN_URL_METHODS and owner and self._request_root(owner) == "source":
            for arg in node.args:
                self.eval(arg)  # ``request.get_full_path()``: the request's own URL
            return sources.origin_at(node, sources.describe(node)).sanitized(
                frozenset({"redirect"})
            )
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords}
        stored = self._stored_upload(node, qname, short, receiver, args)
        if stored is not None:
            return stored
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
            elif (
                hit.kind in UNCONFIRMED_SINKS
                and not self.summary_mode
                and _built(node, self.imports)
            ):
                # No traced source, but the query or code is built at run time: reported at
                # the unconfirmed tier (bandit has no rule here that would show it otherwise).
                self.ctx.raw.append(RawFinding(hit.kind, node, hit.sink, [], unconfirmed=True))
        self.call_effects(node, qname, short, receiver, args, kwargs)
        if hits and not short.startswith(("text", "TextClause")) and qname not in ARCHIVES:
            return CLEAN  # an archive's members stay untrusted (zip slip)
        result = self.call_result(node, qname, short, receiver, args, kwargs)
        if result.tainted and isinstance(func, ast.Attribute):
            result = _string_method(func, node, short, result)
        return result

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
            and (
                sanitizers.autoescaped(node.func.value, self.ctx)
                or self._django_template(node.func.value)
            )
        ) or qname in DJANGO_RENDERERS:
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
