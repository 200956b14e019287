"""Intra-procedural dataflow over the AST, with summaries of same-module functions and of the
reviewed tree's other modules (``project.py``)."""

from __future__ import annotations

import ast
import re

from protosmith.analysis.taint.context import SECRET_NAME, ModuleContext, Summary
from protosmith.analysis.taint.effects import Effects
from protosmith.analysis.taint.entry import function_instances, params_of
from protosmith.analysis.taint.evaluate import SAFE_PREFIX
from protosmith.analysis.taint.guards import guard_facts
from protosmith.analysis.taint.model import CLEAN, PARAM, RANDOM, TV, Origin, join_all
from protosmith.analysis.taint.sinks import HTTP_CLIENTS
from protosmith.analysis.taint.state import MISSING, State, const_eval, join_states, key_of

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
TERMINATORS = frozenset({"abort", "sys.exit", "exit", "os._exit", "flask.abort", "quit"})
MAX_STATEMENTS = 20000


def _snake(name: str) -> str:
    """``OtpService`` → ``otp_service``: a class name read like a function name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


FILE_OPENERS = frozenset(
    {
        "open",
        "io.open",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryFile",
        "tempfile.SpooledTemporaryFile",
    }
)
MUTABLE_DISPLAYS = (ast.List, ast.Dict, ast.Set)


class FunctionAnalyzer(Effects):
    """Walks one function body (or the module body) over the taint lattice."""

    def __init__(
        self,
        ctx: ModuleContext,
        state: State,
        *,
        request_names: set[str],
        summary_mode: bool = False,
        view: bool = False,
        name: str = "",
        instances: dict[str, str] | None = None,
        owner: str = "",
    ) -> None:
        self.ctx = ctx
        self.owner = owner
        """The class whose method this is ('' for functions): its ``self.x`` attributes are
        shared with its other methods (``prepare`` reads a parameter, ``get`` uses it)."""
        self.writes = CLEAN
        """In a summary: the join of what the method stores in ``self``'s fields."""
        self.attributes: dict[str, TV] = {}
        """``self.x`` values this method leaves behind, for the class's other methods."""
        self.instances = instances or {}
        self.state = state
        self.request_names = request_names
        self.summary_mode = summary_mode
        self.view = view
        self.name = name
        self.scope: ast.AST | None = None
        """The function being analyzed (None for the module body)."""
        self.param_sinks: list[tuple[int, str, ast.AST, str, str]] = []
        self.returns: list[TV] = []
        self.loops: list[tuple[list[State], list[State]]] = []
        self.budget = MAX_STATEMENTS

    def summary_of(self, name: str) -> Summary | None:
        return summarize(self.ctx, name)

    def summary_in(self, ctx: ModuleContext, name: str) -> Summary | None:
        return summarize(ctx, name)

    # -- statements -------------------------------------------------------------------------
    def run(self, body: list[ast.stmt]) -> State | None:
        """Analyze a block; None when every path through it ends (return, raise, abort)."""
        state: State | None = self.state
        for statement in body:
            if state is None:
                return None
            self.state = state
            self.budget -= 1
            if self.budget < 0:
                return state
            state = self.statement(statement)
        return state

    def statement(self, node: ast.stmt) -> State | None:
        method = getattr(self, f"_stmt_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child)
        return self.state

    def _stmt_FunctionDef(self, node: ast.stmt) -> State | None:
        return self.state

    _stmt_AsyncFunctionDef = _stmt_ClassDef = _stmt_Import = _stmt_ImportFrom = _stmt_FunctionDef

    def _stmt_Expr(self, node: ast.Expr) -> State | None:
        self.eval(node.value)
        if (
            isinstance(node.value, ast.Call)
            and (self.ctx.qualify(node.value.func) or "") in TERMINATORS
        ):
            return None
        return self.state

    def _stmt_Assign(self, node: ast.Assign) -> State | None:
        value = self.eval(node.value)
        for target in node.targets:
            self.bind(target, value, node.value)
        return self.state

    def _stmt_AnnAssign(self, node: ast.AnnAssign) -> State | None:
        if node.value is not None:
            self.bind(node.target, self.eval(node.value), node.value)
        return self.state

    def _stmt_AugAssign(self, node: ast.AugAssign) -> State | None:
        value = self.eval(node.target).join(self.eval(node.value))
        name = node.target.id if isinstance(node.target, ast.Name) else None
        before = const_eval(node.target, self.state)
        if isinstance(node.op, ast.Add) and isinstance(before, str) and SAFE_PREFIX.match(before):
            value = value.sanitized(frozenset({"redirect", "ssrf"}))  # url = "https://h/"; url += x
        constant = const_eval(ast.BinOp(node.target, node.op, node.value), self.state)
        self.bind(node.target, value, None)
        if name and constant is not MISSING:
            self.state.consts[name] = constant
        return self.state

    def _eval_Yield(self, node: ast.Yield) -> TV:
        """A generator's values are its results, as a function's return value is."""
        if node.value is not None:
            value = self.eval(node.value)
            self.returns.append(value)
            self._secret_result(node, value, "values")
        return CLEAN

    def _secret_result(self, node: ast.AST, value: TV, what: str) -> None:
        """Weak randomness in what a secret-named function (or class) hands out."""
        if SECRET_NAME.search(self.name) or SECRET_NAME.search(_snake(self.owner)):
            self.report("weakrand", node, value, f"the {what} of {self.name}()", origin_kind=RANDOM)

    def _stmt_Return(self, node: ast.Return) -> State | None:
        if node.value is not None:
            value = self.eval(node.value)
            self.returns.append(value)
            body = (
                node.value.elts[0]
                if isinstance(node.value, ast.Tuple) and node.value.elts
                else node.value
            )
            json_like = isinstance(body, (ast.Dict, ast.List, ast.DictComp, ast.ListComp))
            if self.view and self.ctx.framework in ("flask", "") and not json_like:
                self.report("xss", node, self.eval(body), "the HTTP response", through=body)
            self._secret_result(node, value, "return value")
        return None

    def _stmt_Raise(self, node: ast.Raise) -> State | None:
        if node.exc is not None:
            self.eval(node.exc)
        return None

    def _stmt_Break(self, node: ast.Break) -> State | None:
        if self.loops:
            self.loops[-1][0].append(self.state)
        return None

    def _stmt_Continue(self, node: ast.Continue) -> State | None:
        if self.loops:
            self.loops[-1][1].append(self.state)
        return None

    def _held_checks(self, test: ast.expr) -> ast.expr:
        """``test`` with each operand that is a name holding a check's result replaced by that
        check (``ok = url_has_allowed_host_and_scheme(url, ...)``, then ``if ok and ...``), when
        the name is assigned once in this function."""
        if self.scope is None:
            return test
        if isinstance(test, ast.Name):
            values = self.ctx.assignments_in(self.scope).get(test.id, [])
            single = len(values) == 1 and isinstance(values[0], (ast.Call, ast.Compare))
            return values[0] if single else test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            operand = self._held_checks(test.operand)
            return test if operand is test.operand else ast.UnaryOp(op=ast.Not(), operand=operand)
        if isinstance(test, ast.BoolOp):
            values = [self._held_checks(v) for v in test.values]
            changed = any(a is not b for a, b in zip(values, test.values, strict=True))
            return ast.BoolOp(op=test.op, values=values) if changed else test
        return test

    def refined(self, state: State, test: ast.expr, positive: bool) -> State:
        """A copy of ``state`` with what ``test`` being ``positive`` proves applied."""
        result = state.copy()
        test = self._held_checks(test)
        for subject, kinds in guard_facts(test, positive, self.ctx):
            targets = (
                [subject]
                if key_of(subject)
                else [n for n in ast.walk(subject) if isinstance(n, ast.Name)]
            )
            for target in targets:
                key = key_of(target)
                if key and key not in result.env and isinstance(target, ast.Attribute):
                    # ``parts.hostname in ALLOWED``: the checked field of a tainted object
                    result.env[key] = self.eval(target)
                if key and key in result.env:
                    result.env[key] = result.env[key].sanitized(kinds)
                    if kinds and isinstance(target, ast.Name):
                        for entry in [k for k in result.env if k.startswith(key + "[")]:
                            result.env[entry] = result.env[entry].sanitized(kinds)
        return result

    def _stmt_If(self, node: ast.If) -> State | None:
        test = const_eval(node.test, self.state)
        if test is not MISSING:
            branch = node.body if test else node.orelse
            return self.run(branch)
        self.eval(node.test)
        before = self.state
        self.state = self.refined(before, node.test, True)
        after_body = self.run(node.body)
        self.state = self.refined(before, node.test, False)
        after_else = self.run(node.orelse)
        return join_states([after_body, after_else])

    def _loop(
        self,
        body: list[ast.stmt],
        orelse: list[ast.stmt],
        bind: ast.expr | None,
        value: TV,
        iterable: ast.expr | None = None,
    ) -> State | None:
        entry = self.state
        current: State = entry
        breaks: list[State] = []
        for _ in range(2):
            self.state = current.copy()
            if bind is not None:
                if iterable is not None:
                    self.bind_iteration(bind, iterable, value)
                else:
                    self.bind(bind, value, None)
            self.loops.append(([], []))
            after = self.run(body)
            loop_breaks, continues = self.loops.pop()
            breaks = loop_breaks
            merged = join_states([current, after, *continues])
            current = merged if merged is not None else current
        self.state = current
        after_else = self.run(orelse) if orelse else current
        return join_states([after_else, *breaks])

    def _stmt_For(self, node: ast.For) -> State | None:
        return self._loop(node.body, node.orelse, node.target, self.eval(node.iter), node.iter)

    _stmt_AsyncFor = _stmt_For

    def _stmt_While(self, node: ast.While) -> State | None:
        self.eval(node.test)
        return self._loop(node.body, node.orelse, None, CLEAN)

    def _stmt_With(self, node: ast.With) -> State | None:
        for item in node.items:
            value = self.eval(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, value, item.context_expr)
        return self.run(node.body)

    _stmt_AsyncWith = _stmt_With

    def _stmt_Try(self, node: ast.Try) -> State | None:
        before = self.state
        self.state = before.copy()
        after_body = self.run(node.body)
        if after_body is not None and node.orelse:
            self.state = after_body
            after_body = self.run(node.orelse)
        outcomes: list[State | None] = [after_body]
        handler_entry = join_states([before, after_body]) or before
        for handler in node.handlers:
            self.state = handler_entry.copy()
            if handler.name:
                self.state.env.pop(handler.name, None)
            outcomes.append(self.run(handler.body))
        result = join_states(outcomes)
        if node.finalbody:
            self.state = result if result is not None else handler_entry.copy()
            final = self.run(node.finalbody)
            return final if result is not None else None
        return result

    _stmt_TryStar = _stmt_Try

    def _stmt_Match(self, node: ast.Match) -> State | None:
        subject = const_eval(node.subject, self.state)
        self.eval(node.subject)
        before = self.state
        outcomes: list[State | None] = []
        for case in node.cases:
            pattern = case.pattern
            if subject is not MISSING and isinstance(pattern, ast.MatchValue):
                if const_eval(pattern.value, before) != subject:
                    continue
                self.state = before.copy()
                return self.run(case.body)
            self.state = before.copy()
            outcomes.append(self.run(case.body))
        outcomes.append(before)
        return join_states(outcomes)

    # -- assignment ---------------------------------------------------------------------------
    def bind(self, target: ast.expr, value: TV, source: ast.expr | None) -> None:
        state = self.state
        if isinstance(target, ast.Name):
            state.forget(target.id)
            state.env[target.id] = value
            if source is not None:
                self._remember(target.id, source)
            if SECRET_NAME.search(target.id):
                self.report("weakrand", target, value, f"`{target.id}`", origin_kind=RANDOM)
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts = (
                source.elts
                if isinstance(source, (ast.Tuple, ast.List))
                and len(source.elts) == len(target.elts)
                else None
            )
            for index, element in enumerate(target.elts):
                part = parts[index] if parts is not None else None
                self.bind(element, self.eval(part) if part is not None else value, part)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, value, None)
        elif isinstance(target, ast.Attribute):
            self.eval(target.value)
            key = key_of(target)
            if key:
                state.forget(key)
                state.env[key] = value
                if self.owner and not self.summary_mode and key.startswith("self."):
                    self.attributes[key] = value
                if self.summary_mode and key.startswith("self."):
                    self.writes = self.writes.join(value)
        elif isinstance(target, ast.Subscript):
            self._store_item(target, value)

    def _remember(self, name: str, source: ast.expr) -> None:
        state = self.state
        constant = const_eval(source, state)
        if constant is not MISSING and not isinstance(source, MUTABLE_DISPLAYS):
            # A list, dict or set may be filled later (``clauses = []``, then ``append``): its
            # value here says nothing about ``if clauses`` further down.
            state.consts[name] = constant
        if isinstance(source, (ast.List, ast.Tuple)) and not any(
            isinstance(e, ast.Starred) for e in source.elts
        ):
            state.lists[name] = [self.eval(e) for e in source.elts]
            first = const_eval(source.elts[0], state) if source.elts else MISSING
            if first is not MISSING:
                state.consts[f"{name}[0]"] = first
        elif isinstance(source, ast.Dict):
            for key_node, item in zip(source.keys, source.values, strict=True):
                key = const_eval(key_node, state) if key_node is not None else MISSING
                if isinstance(key, (str, int)):
                    state.env[f"{name}[{key!r}]"] = self.eval(item)
        if isinstance(source, ast.Call):
            kind = self._parser_kind(source)
            if kind:
                state.parsers[name] = kind
            if self.is_xml_object(source):
                state.objects[name] = "xml"
            else:
                made_by = self.ctx.qualify(source.func)
                if made_by in HTTP_CLIENTS:
                    state.objects[name] = "http"
                elif made_by in FILE_OPENERS:
                    state.objects[name] = "file"
                    if self.code_file(source):  # ``open("plugins/x.py", "w")``: writes code
                        state.objects[f"{name}:code"] = self.code_file(source)
        elif isinstance(source, ast.Name) and source.id in state.parsers:
            state.parsers[name] = state.parsers[source.id]


def summarize(ctx: ModuleContext, name: str) -> Summary | None:
    """The (cached) summary of the same-module function ``name``; None if unknown or recursive."""
    if name in ctx.summaries:
        return ctx.summaries[name]
    func = ctx.functions.get(name)
    if func is None or name in ctx.computing:
        return None
    ctx.computing.add(name)
    params = params_of(func)
    variadic = [a for a in (func.args.vararg, func.args.kwarg) if a is not None]
    state = State(consts=dict(ctx.constants()))
    for index, arg in enumerate([*params, *variadic]):
        state.env[arg.arg] = TV.of(frozenset({Origin(PARAM, arg.arg, func.lineno, 0, True, index)}))
    analyzer = FunctionAnalyzer(
        ctx,
        state,
        request_names=set(ctx.request_names),
        summary_mode=True,
        name=name,
        instances=function_instances(ctx, func),
        owner=ctx.owner_of(func),
    )
    analyzer.scope = func
    analyzer.run(func.body)
    ctx.computing.discard(name)
    summary = Summary(
        params=[a.arg for a in params],
        varargs=len(params) if func.args.vararg else -1,
        varkw=len(params) + bool(func.args.vararg) if func.args.kwarg else -1,
        returned=join_all(analyzer.returns),
        writes=analyzer.writes,
        sinks=list(dict.fromkeys(analyzer.param_sinks)),  # one per (parameter, sink, kind)
    )
    ctx.summaries[name] = summary
    return summary
