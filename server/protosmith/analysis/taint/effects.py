"""Side effects of calls and stores: containers, XML parsers, sessions, cookies, function summaries."""

from __future__ import annotations

import ast

from protosmith.analysis.taint.context import SECRET_NAME, ModuleContext, Summary
from protosmith.analysis.taint.evaluate import MUTATORS
from protosmith.analysis.taint.model import CLEAN, KEYS, PARAM, RANDOM, TV, Origin, join_all
from protosmith.analysis.taint.objects import ObjectKinds
from protosmith.analysis.taint.state import MISSING, const_eval, key_of


class Effects(ObjectKinds):
    """What calls and subscript stores do to the state, beyond producing a value."""

    def summary_of(self, name: str) -> Summary | None:
        """The summary of a same-module function (provided by the function analyzer)."""
        return None

    def summary_in(self, ctx: ModuleContext, name: str) -> Summary | None:
        """The summary of a function of another module (provided by the function analyzer)."""
        return None

    def _store_item(self, target: ast.Subscript, value: TV) -> None:
        state = self.state
        base = target.value
        key_value = self.eval(target.slice)
        container = key_of(base) or ""
        if SECRET_NAME.search(container.rsplit(".", 1)[-1]):  # PENDING_CODES[email] = code
            self.report("weakrand", target, value, f"`{container}`", origin_kind=RANDOM)
        if self._is_session(base):
            self.report(
                "trustbound", target, value.join(key_value), "the session", through=target.slice
            )
            self.report("weakrand", target, value, "the session", origin_kind=RANDOM)
        header = const_eval(target.slice, state)
        location = isinstance(header, str) and header.lower() == "location"
        if location and (
            (isinstance(base, ast.Attribute) and base.attr == "headers")
            or (isinstance(base, ast.Name) and "resp" in base.id.lower())
        ):
            self.report("redirect", target, value, "the Location header")  # a redirect by hand
        elif isinstance(base, ast.Attribute) and base.attr == "headers":
            self.report("header", target, value, "a response header")
        base_key = key_of(base)
        if base_key is None:
            self.eval(base)
            return
        index = const_eval(target.slice, state)
        if isinstance(index, (str, int)):
            state.env[f"{base_key}[{index!r}]"] = value
            items = state.lists.get(base_key)
            if items is not None and isinstance(index, int) and -len(items) <= index < len(items):
                items[index] = value
        else:
            state.lists.pop(base_key, None)
        state.env[base_key] = state.env.get(base_key, CLEAN).join(value)

    def call_effects(
        self,
        node: ast.Call,
        qname: str | None,
        short: str,
        receiver: TV,
        args: list[TV],
        kwargs: dict[str | None, TV],
    ) -> None:
        func = node.func
        if SECRET_NAME.search(short):  # save_reset_code(user, code), set_api_token(...)
            handed = join_all([*args, *kwargs.values()])
            self.report("weakrand", node, handed, f"{short}()", origin_kind=RANDOM)
        if not isinstance(func, ast.Attribute):
            return
        base = key_of(func.value)
        state = self.state
        every = join_all([*args, *kwargs.values()])
        if self._is_session(func.value) and short in ("setdefault", "update", "__setitem__"):
            self.report("trustbound", node, every, "the session", through=node)
            self.report("weakrand", node, every, "the session", origin_kind=RANDOM)
        if short == "set_cookie":
            cookie_value = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "value"), None)
            )
            if cookie_value is not None:
                self.report(
                    "weakrand", node, self.eval(cookie_value), "a cookie", origin_kind=RANDOM
                )
        if short == "setFeature" and base and len(node.args) == 2:
            feature = ast.unparse(node.args[0])
            enabled = const_eval(node.args[1], state)
            if "external_ges" in feature or "external-general-entities" in feature:
                state.parsers[base] = "xxe" if enabled else "sax"
        if base is None:
            return
        if short == "set" and len(node.args) == 3:
            section, option = (const_eval(a, state) for a in node.args[:2])
            if section is not MISSING and option is not MISSING:
                state.env[f"{base}[{(section, option)!r}]"] = args[2]
            state.env[base] = state.env.get(base, CLEAN).join(args[2])
            return
        if short not in MUTATORS and short not in ("pop", "clear", "remove", "setdefault"):
            return
        items = state.lists.get(base)
        if items is not None:
            if short == "append" and args:
                items.append(args[0])
            elif (
                short == "insert"
                and len(args) == 2
                and isinstance(const_eval(node.args[0], state), int)
            ):
                items.insert(const_eval(node.args[0], state), args[1])  # type: ignore[arg-type]
            elif short == "pop":
                index = const_eval(node.args[0], state) if node.args else -1
                if isinstance(index, int) and -len(items) <= index < len(items):
                    items.pop(index)
                else:
                    state.lists.pop(base, None)
            elif short == "clear":
                items.clear()
            else:
                state.lists.pop(base, None)
        if short == "setdefault" and len(node.args) == 2:
            key = const_eval(node.args[0], state)
            if isinstance(key, (str, int)) and f"{base}[{key!r}]" not in state.env:
                state.env[f"{base}[{key!r}]"] = args[1]
        if short in ("write", "writelines") and state.objects.get(base) == "file":
            return  # the data goes into the file; the file object (its .name) is unchanged
        if short in MUTATORS or short == "setdefault":
            state.env[base] = state.env.get(base, CLEAN).join(every)

    def apply_summary(
        self, node: ast.Call, short: str, receiver: TV, args: list[TV], kwargs: dict[str | None, TV]
    ) -> TV | None:
        func = node.func
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        own_method = (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        )
        held = self.instance_of(func) or self._sole_owner(func)
        if held is not None:
            return self._apply_method(node, held, args, kwargs, receiver=receiver)
        if (isinstance(func, ast.Name) and func.id in self.ctx.imports) or (
            isinstance(func, ast.Attribute) and not own_method
        ):
            return self._apply_external(node, args, kwargs, receiver=receiver)
        summary = self.summary_of(short)
        if summary is None:
            return None
        return self._apply(node, summary, short, args, kwargs, where="", receiver=receiver)

    def _sole_owner(self, func: ast.expr) -> str | None:
        """``self.service.members(...)`` where ``self.service`` was handed in (its class is not
        known here): the one class of this module that defines ``members``, if just one does."""
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "self"
        ):
            return None
        owners = [c for c in self.ctx.classes if f"{c}.{func.attr}" in self.ctx.functions]
        return owners[0] if len(owners) == 1 and owners[0] != self.owner else None

    def _apply_method(
        self,
        node: ast.Call,
        cls: str,
        args: list[TV],
        kwargs: dict[str | None, TV],
        *,
        receiver: TV = CLEAN,
    ) -> TV | None:
        """``obj.method(...)`` where ``obj`` holds an instance of ``cls`` (this module or another)."""
        method = f"{cls}.{node.func.attr}"  # type: ignore[attr-defined]
        if "." not in cls and method in self.ctx.functions:
            summary = self.summary_of(method)
            if summary is None:
                return None
            return self._apply(node, summary, method, args, kwargs, where="", receiver=receiver)
        return self._apply_external(node, args, kwargs, qualified=method, receiver=receiver)

    def _apply_external(
        self,
        node: ast.Call,
        args: list[TV],
        kwargs: dict[str | None, TV],
        *,
        qualified: str | None = None,
        receiver: TV = CLEAN,
    ) -> TV | None:
        """A call into another module of the reviewed tree, through that module's summary."""
        project = self.ctx.project
        if project is None:
            return None
        qualified = qualified or self.ctx.qualify(node.func)  # type: ignore[arg-type]
        if not qualified:
            return None
        target = project.resolve(qualified)
        if target is None:
            return None
        summary = self.summary_in(target.ctx, target.function)
        if summary is None:
            return None
        if not summary.returned.tainted and not any(v.tainted for v in [*args, *kwargs.values()]):
            return None  # nothing tainted goes in or comes out: the plain (clean) result is right
        result = self._apply(
            node, summary, target.function, args, kwargs, where=target.path, receiver=receiver
        )
        # Origins inside the other module would point at lines of this file: re-anchor them here.
        inside = summary.returned.origins
        return result.map_origins(
            lambda o: (
                Origin(
                    o.kind,
                    f"{o.description} (returned by {target.function}() in {target.path})",
                    node.lineno,
                    node.col_offset,
                    o.web,
                    o.index,
                )
                if o.kind != PARAM and o in inside
                else o
            )
        )

    def _apply(
        self,
        node: ast.Call,
        summary: Summary,
        short: str,
        args: list[TV],
        kwargs: dict[str | None, TV],
        *,
        where: str,
        receiver: TV = CLEAN,
    ) -> TV:
        func = node.func
        offset = (
            1
            if summary.params[:1] in (["self"], ["cls"]) and isinstance(func, ast.Attribute)
            else 0
        )
        by_index: dict[int, TV] = {}
        for position, (arg, value) in enumerate(zip(node.args, args, strict=False)):
            index = position + offset
            starred = isinstance(arg, ast.Starred)
            if (starred or index >= len(summary.params)) and summary.varargs >= 0:
                index = summary.varargs  # into *args
            by_index[index] = by_index.get(index, CLEAN).join(value)
        for name, value in kwargs.items():
            if name in summary.params:
                by_index[summary.params.index(name)] = value
            elif summary.varkw >= 0:  # ``**mapping`` or a name only **kwargs takes
                named = value.sanitized(frozenset({KEYS})) if name is not None else value
                by_index[summary.varkw] = by_index.get(summary.varkw, CLEAN).join(named)
        if offset and isinstance(func, ast.Attribute):
            # The object itself: what it held, plus what this method stores in its fields
            # (``holder.load(param)`` then ``holder.get()``; ``Target(raw).url()``).
            written = _substitute(summary.writes, by_index)
            by_index[0] = receiver.join(written)
            key = key_of(func.value)
            if key and written.tainted and key.split(".")[0] not in ("self", "cls"):
                self.state.env[key] = self.state.env.get(key, CLEAN).join(written)
        for index, kind, sink_node, sink, origin_kind in summary.sinks:
            argument = by_index.get(index, CLEAN)
            if where:  # the sink is in another file: report at this call, name the sink's place
                line = getattr(sink_node, "lineno", 0)
                self.report(
                    kind,
                    node,
                    argument,
                    f"{sink} in {short}() ({where}:{line})",
                    origin_kind=origin_kind,
                    sink_at=(where, sink_node),
                )
                continue
            self.report(
                kind,
                sink_node,
                argument,
                sink,
                origin_kind=origin_kind,
                via=f"{short}() called at line {node.lineno}",
            )
        return _substitute(summary.returned, by_index)


def _substitute(value: TV, by_index: dict[int, TV]) -> TV:
    """``value`` from a summary, with each parameter replaced by what the call passed for it
    (kept safe for what the function made it safe for)."""
    result = TV(frozenset(fact for fact in value.facts if fact[0].kind != PARAM))
    for origin, safe_for in value.facts:
        if origin.kind == PARAM:
            passed = by_index.get(origin.index, CLEAN)
            result = result.join(
                (passed.keys_part() if origin.keys else passed).sanitized(safe_for)
            )
    return result
