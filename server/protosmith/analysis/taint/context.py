"""Module-wide facts the dataflow needs: imports, functions, framework, summaries, raw findings."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from protosmith.analysis.taint.model import CLEAN, TV, Origin
from protosmith.analysis.taint.sources import REQUEST_MODULES
from protosmith.analysis.taint.state import MISSING, State, const_eval

SECRET_NAME = re.compile(
    r"(^|_)(token|password|passwd|secret|salt|nonce|otp|session_?id|sid|api_?key|csrf|"
    r"reset_code|verification_code|auth_code|remember|invite|invitation|coupon|voucher|"
    r"activation|magic_link|one_time|pin_code|"
    r"(pending|reset|verification|confirmation|login|sms|email)_codes?)($|_)",
    re.IGNORECASE,
)


@dataclass
class RawFinding:
    """A dangerous flow before it becomes a Finding."""

    kind: str
    node: ast.AST
    sink: str
    origins: list[Origin]
    through: list[str] = field(default_factory=list)
    via: str = ""
    origin_kind: str = "input"
    sink_at: tuple[str, ast.AST] | None = None
    """(path, node) of the sink when it is in another module of the tree."""
    unconfirmed: bool = False
    """A sink reached by a value built at run time that no traced source reaches."""


ParamSink = tuple[int, str, ast.AST, str, str]
"""(parameter index, sink kind, sink node, sink description, origin kind): a sink that a
function's parameter reaches, found while the function is summarized."""


@dataclass
class Summary:
    """What a same-module function does with its parameters."""

    params: list[str]
    varargs: int = -1
    """The origin index standing for ``*args`` (-1: none); ``varkw`` for ``**kwargs``."""
    varkw: int = -1
    writes: TV = CLEAN
    """What a method stores in its object's fields (``self.x = ...``), parameters included."""
    returned: TV = CLEAN
    """What the function returns: its own sources, and ``PARAM`` origins for parameters that
    flow back out (each with what it was made safe for on the way)."""
    sinks: list[ParamSink] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """A function of another module of the tree, with that module's context."""

    ctx: ModuleContext
    path: str
    """Workspace-relative POSIX path of the module, for messages."""
    function: str


class Project(Protocol):
    """The reviewed tree's other modules as one module's analysis reaches them.

    ``project.ProjectIndex`` is the one implementation; the context names only what it needs
    from it, because the index loads contexts (so ``project`` imports this module, not the
    reverse)."""

    @property
    def root(self) -> Path:
        """The reviewed tree (resolved)."""
        ...

    @property
    def path(self) -> str:
        """The analyzed file, relative to ``root``."""
        ...

    def resolve(self, qualified: str) -> Target | None:
        """The function ``qualified`` names, if the tree has it."""
        ...


def collect_imports(nodes: list[ast.Import | ast.ImportFrom], module: str = "") -> dict[str, str]:
    """Local name → fully qualified name, for every import statement of a module.

    Relative imports (``from .db import run``) resolve against ``module``, the module's own
    dotted name, when it is known; otherwise they are left out.
    """
    imports: dict[str, str] = {}
    package = module.split(".")[:-1] if module else None
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    imports.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level > 0 and package is not None:
            if node.level - 1 > len(package):
                continue
            base = package[: len(package) - (node.level - 1)]
            prefix = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                imports[alias.asname or alias.name] = ".".join(filter(None, [prefix, alias.name]))
    return imports


@dataclass
class ModuleContext:
    """Everything shared by the functions of one module."""

    tree: ast.Module
    imports: dict[str, str]
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    every_function: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    """Every function and method, nested ones and redefinitions included, in walk order."""
    parser_factories: dict[str, str | None] = field(default_factory=dict)
    """Same-module functions returning an XML parser: 'xxe', 'safe' or None (memo)."""
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    request_names: set[str] = field(default_factory=set)
    framework: str = ""
    summaries: dict[str, Summary | None] = field(default_factory=dict)
    computing: set[str] = field(default_factory=set)
    raw: list[RawFinding] = field(default_factory=list)
    globals: dict[str, TV] = field(default_factory=dict)
    attributes: dict[str, TV] = field(default_factory=dict)
    """``Class.attr`` → what the class's methods store in ``self.attr`` from untrusted input."""
    module: str = ""
    """The module's dotted name in the reviewed tree ('' when unknown)."""
    project: Project | None = None
    """Where calls into the tree's other modules resolve (None: same-module summaries only)."""
    uploads: set[str] = field(default_factory=set)
    """Path expressions (source text) that request data was saved to: reading them back
    (``open(path)``) reads untrusted data."""
    instances: dict[str, str] | None = None
    """Module-level names bound to a known class (computed on first use)."""
    own_request: dict[str, bool] = field(default_factory=dict)
    """Per class: whether it assigns ``self.request`` itself (``request._own_request_field``)."""
    instance_cache: dict[int, dict[str, str]] = field(default_factory=dict)
    """``entry.function_instances`` per function and ``attribute_classes`` per class (by id:
    the nodes live as long as this context)."""
    _values: dict[str, ast.expr] | None = None
    _owners: dict[int, str] | None = None
    _assignments: dict[int, dict[str, list[ast.expr]]] = field(default_factory=dict)
    _constants: dict[str, object] | None = None

    def assignments_in(self, scope: ast.AST) -> dict[str, list[ast.expr]]:
        """Name → every value assigned to it anywhere in ``scope`` (computed once per scope)."""
        found = self._assignments.get(id(scope))
        if found is None:
            found = {}
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            found.setdefault(target.id, []).append(node.value)
            self._assignments[id(scope)] = found
        return found

    def owner_of(self, func: ast.AST) -> str:
        """The class defining ``func`` directly ('' for a plain function)."""
        if self._owners is None:
            self._owners = {id(m): c.name for c in self.classes.values() for m in c.body}
        return self._owners.get(id(func), "")

    def module_value(self, name: str) -> ast.expr | None:
        """The expression a module-level name is bound to, when it is bound exactly once at the
        top level (``USERNAME = re.compile(...)``, ``COOKIE_OPTS = {...}``); None otherwise."""
        return self._bindings().get(name)

    def _bindings(self) -> dict[str, ast.expr]:
        if self._values is None:
            seen: dict[str, ast.expr | None] = {}
            for node in self.tree.body:
                targets: list[ast.expr] = []
                value: ast.expr | None = None
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign):
                    targets, value = [node.target], node.value
                elif isinstance(node, ast.AugAssign):
                    targets = [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        seen[target.id] = None if target.id in seen else value
            self._values = {k: v for k, v in seen.items() if v is not None}
        return self._values

    def constants(self) -> dict[str, object]:
        """Module-level names bound once to a constant (``API_BASE = "https://..."``): what a
        function summary starts from, in this module or when called from another one."""
        if self._constants is None:
            self._constants = {}
            for name, value in self._bindings().items():
                if isinstance(value, (ast.List, ast.Dict, ast.Set)):
                    continue  # mutable: may be changed before any function runs
                constant = const_eval(value, State())
                if constant is not MISSING:
                    self._constants[name] = constant
        return self._constants

    @classmethod
    def build(
        cls, tree: ast.Module, *, module: str = "", project: Project | None = None
    ) -> ModuleContext:
        ctx = cls(tree, {}, module=module, project=project)
        import_nodes: list[ast.Import | ast.ImportFrom] = []
        for node in ast.walk(tree):  # the module's only full walk
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ctx.functions.setdefault(node.name, node)
                ctx.every_function.append(node)
            elif isinstance(node, ast.ClassDef):
                ctx.classes.setdefault(node.name, node)
                for item in node.body:  # also as Class.method, for calls on known instances
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        ctx.functions.setdefault(f"{node.name}.{item.name}", item)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                import_nodes.append(node)
        imports = ctx.imports = collect_imports(import_nodes, module)
        for local, qualified in imports.items():
            if qualified.split(".")[0] in REQUEST_MODULES and qualified.endswith(".request"):
                ctx.request_names.add(local)
        modules = {q.split(".")[0] for q in imports.values()}
        if "fastapi" in modules or "starlette" in modules:
            ctx.framework = "fastapi"
        elif "django" in modules:
            ctx.framework = "django"
        elif modules & {"flask", "quart", "bottle"}:
            ctx.framework = "flask"
        return ctx

    def qualify(self, node: ast.expr) -> str | None:
        """Dotted, import-resolved name of a Name/Attribute chain (``ET.parse`` → ``xml.etree.ElementTree.parse``)."""
        parts: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            return None
        head = self.imports.get(current.id, current.id)
        return ".".join([head, *reversed(parts)])
