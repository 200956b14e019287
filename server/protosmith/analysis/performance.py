"""Performance analyzer: quadratic loops, string building, N+1 I/O, sorting and scans inside loops."""

from __future__ import annotations

import ast

from protosmith.analysis import rules
from protosmith.analysis.findings import Category, Evidence, Finding, Fix, Severity
from protosmith.analysis.taint.rules import node_range

IO_CALLS = frozenset({"open", "urllib.request.urlopen", "socket.create_connection"})
IO_PREFIXES = ("requests.", "httpx.", "urllib.request.")
QUERY_METHODS = frozenset({"execute", "executemany", "query", "fetch", "raw", "scalar", "scalars"})
ORM_METHODS = frozenset(
    {"get", "filter", "exclude", "all", "first", "count", "exists", "get_or_create"}
)

LoopNode = (
    ast.For
    | ast.AsyncFor
    | ast.While
    | ast.ListComp
    | ast.SetComp
    | ast.DictComp
    | ast.GeneratorExp
)


def _iter_source(node: ast.expr) -> ast.expr | None:
    """The collection a loop walks (``range(len(x))`` walks ``x``); None for constants and ranges of numbers."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in (
            "range",
            "enumerate",
            "reversed",
            "sorted",
            "list",
            "zip",
        ):
            if func.id == "range":
                inner = node.args[-1] if node.args else None
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id == "len"
                    and inner.args
                ):
                    return inner.args[0]
                return None
            return _iter_source(node.args[0]) if node.args else None
        if isinstance(func, ast.Attribute) and func.attr in ("items", "values", "keys"):
            return func.value
        return None
    if isinstance(node, (ast.Name, ast.Attribute)):
        return node
    return None


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _bound_in(node: ast.AST) -> set[str]:
    """Names a loop rebinds on its iterations: its targets and whatever its body assigns."""
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _constant(node: ast.expr | None) -> bool:
    """A literal or an UPPER_CASE name: a collection of fixed size, whatever the input."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Constant)):
        return True
    if not isinstance(node, (ast.Name, ast.Attribute)):
        return False
    name = node.id if isinstance(node, ast.Name) else node.attr
    return name.lstrip("_").isupper()


class PerformanceChecker(ast.NodeVisitor):
    """Collects performance findings for one module."""

    def __init__(self, path: str, imports: dict[str, str]) -> None:
        self.path = path
        self.imports = imports
        self.findings: list[Finding] = []
        self.loops: list[tuple[LoopNode, ast.expr | None, set[str]]] = []
        """Enclosing loops: node, the collection walked (None when unknown), names it rebinds."""
        self.strings: list[set[str]] = [set()]
        self.lists: list[set[str]] = [set()]
        self.reported: set[tuple[str, int]] = set()

    def add(
        self,
        code: str,
        node: ast.AST,
        message: str,
        instruction: str,
        severity: Severity = Severity.MINOR,
    ) -> None:
        key = (code, getattr(node, "lineno", 0))
        if key in self.reported:
            return
        self.reported.add(key)
        self.findings.append(
            Finding(
                code=code,
                category=Category.PERFORMANCE,
                severity=severity,
                message=message,
                path=self.path,
                range=node_range(node),
                evidence=Evidence(source="perf", rule_id=code),
                confidence=0.7,
                fix=Fix(title="Optimize", instruction=instruction),
            )
        )

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        saved = self.loops
        self.loops = []
        self.strings.append(set())
        self.lists.append(set())
        self.generic_visit(node)
        self.strings.pop()
        self.lists.pop()
        self.loops = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            if isinstance(value, (ast.JoinedStr,)) or (
                isinstance(value, ast.Constant) and isinstance(value.value, str)
            ):
                self.strings[-1].add(target.id)
            if isinstance(value, (ast.List, ast.ListComp)) or (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "list"
            ):
                self.lists[-1].add(target.id)
            else:
                self.lists[-1].discard(target.id)
        self.generic_visit(node)

    def _variant(self) -> set[str]:
        """Names that change from one iteration to the next of any enclosing loop."""
        return set().union(*(bound for _node, _source, bound in self.loops))

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While) -> None:
        # The iterable (or the condition) is outside the loop it drives: visit it first.
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self.visit(node.iter)
            source = _iter_source(node.iter)
        else:
            self.visit(node.test)
            source = None
        if source is not None and self.loops and not _names(source) & self._variant():
            # An inner collection that is the same on every outer iteration: a join in disguise.
            outer = next((src for _n, src, _b in reversed(self.loops) if src is not None), None)
            if outer is not None and not _constant(source) and not _constant(outer):
                same = ast.dump(outer) == ast.dump(source)
                self.add(
                    rules.NESTED_LOOP,
                    node,
                    f"nested loop over `{ast.unparse(source)}` inside a loop over `{ast.unparse(outer)}`: "
                    f"O(n{'²' if same else '·m'}) as the inputs grow",
                    "Index the inner collection in a dict or set keyed by what you match on, then do one pass.",
                )
        self.loops.append((node, source, _bound_in(node)))
        body: list[ast.AST] = [*node.body, *node.orelse]
        if isinstance(node, (ast.For, ast.AsyncFor)):
            body.insert(0, node.target)
        for child in body:
            self.visit(child)
        self.loops.pop()

    visit_For = visit_AsyncFor = visit_While = _loop

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
    ) -> None:
        # The first iterable is evaluated once, before the comprehension runs.
        generators = node.generators
        self.visit(generators[0].iter)
        pushed = 0
        for index, generator in enumerate(generators):
            if index:
                self.visit(generator.iter)
            self.loops.append((node, _iter_source(generator.iter), _bound_in(generator.target)))
            pushed += 1
            for condition in generator.ifs:
                self.visit(condition)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for part in parts:
            self.visit(part)
        del self.loops[len(self.loops) - pushed :]

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self.loops and isinstance(node.op, ast.Add) and isinstance(node.target, ast.Name):
            value = node.value
            stringy = isinstance(value, ast.JoinedStr) or (
                isinstance(value, ast.Constant) and isinstance(value.value, str)
            )
            if node.target.id in self.strings[-1] or stringy:
                self.add(
                    rules.STRING_CONCAT,
                    node,
                    f"`{node.target.id} +=` builds a string inside a loop: each step copies the whole string",
                    "Append the parts to a list and join them once after the loop.",
                )
        self.generic_visit(node)

    def _qualify(self, func: ast.expr) -> str:
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if isinstance(func, ast.Name):
            parts.append(self.imports.get(func.id, func.id))
            return ".".join(reversed(parts))
        return ".".join(reversed(parts))

    def visit_Call(self, node: ast.Call) -> None:
        if self.loops:
            qname = self._qualify(node.func)
            short = qname.rsplit(".", 1)[-1]
            func = node.func
            receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            if (qname in IO_CALLS or qname.startswith(IO_PREFIXES)) and self._per_item_io(
                node, qname
            ):
                self.add(
                    rules.IO_IN_LOOP,
                    node,
                    f"`{qname}()` inside a loop: one round trip per item",
                    "Open or connect once outside the loop, or batch the requests.",
                    Severity.MAJOR,
                )
            elif isinstance(func, ast.Attribute) and (
                short in QUERY_METHODS or (short in ORM_METHODS and receiver.endswith("objects"))
            ):
                self.add(
                    rules.IO_IN_LOOP,
                    node,
                    f"query `{ast.unparse(func)}()` inside a loop (N+1 queries)",
                    "Fetch all rows in one query (`IN (...)`, `select_related`/`prefetch_related`, a join) before the loop.",
                    Severity.MAJOR,
                )
            elif self._sorts_invariant_data(node, func, qname, short):
                self.add(
                    rules.SORT_IN_LOOP,
                    node,
                    "sorting inside a loop: O(n log n) work on every iteration",
                    "Sort once before the loop, or keep the data in a heap or bisect-ordered list.",
                )
            elif qname == "re.compile":
                self.add(
                    rules.LOOP_INVARIANT,
                    node,
                    "`re.compile` inside a loop recompiles the pattern each time",
                    "Compile the pattern once at module level.",
                    Severity.INFO,
                )
            elif (
                short in ("pop", "insert")
                and isinstance(func, ast.Attribute)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == 0
            ):
                self.add(
                    rules.LOOP_INVARIANT,
                    node,
                    f"`{receiver}.{short}(0)` inside a loop shifts the whole list each time",
                    "Use collections.deque with popleft()/appendleft().",
                )
        self.generic_visit(node)

    def _per_item_io(self, node: ast.Call, qname: str) -> bool:
        """I/O once per item of a collection; not retries or polling (``while``, ``range``), and
        not opening a different file per item (reading N files is the job, not a smell)."""
        walking = [src for _n, src, _b in self.loops if src is not None]
        if not walking:
            return False
        if qname == "open":
            return not _names(node) & self._variant()  # the same file reopened on every item
        return True

    def _sorts_invariant_data(self, node: ast.Call, func: ast.expr, qname: str, short: str) -> bool:
        """Sorting the same data on every iteration (sorting each item's own data is fine)."""
        if short == "sort" and isinstance(func, ast.Attribute):
            data: ast.expr | None = func.value
        elif qname == "sorted":
            data = node.args[0] if node.args else None
        else:
            return False
        return data is not None and not _constant(data) and not _names(data) & self._variant()

    def visit_Compare(self, node: ast.Compare) -> None:
        if self.loops and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            right = node.comparators[0]
            if isinstance(right, ast.Name) and right.id in self.lists[-1]:
                self.add(
                    rules.LIST_MEMBERSHIP,
                    node,
                    f"membership test against list `{right.id}` inside a loop: a linear scan per item",
                    "Build a set from the list once before the loop.",
                )
        self.generic_visit(node)


def analyze_performance(tree: ast.Module, path: str, imports: dict[str, str]) -> list[Finding]:
    """Performance findings of one parsed module."""
    checker = PerformanceChecker(path, imports)
    checker.visit(tree)
    return checker.findings
