"""Module-wide facts the dataflow needs: imports, functions, framework, summaries, raw findings."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from protosmith.analysis.taint.model import TV, Origin
from protosmith.analysis.taint.sources import REQUEST_MODULES

SECRET_NAME = re.compile(
    r"(^|_)(token|password|passwd|secret|salt|nonce|otp|session_?id|sid|api_?key|csrf|"
    r"reset_code|verification_code|auth_code|remember)($|_)",
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


@dataclass
class Summary:
    """What a same-module function does with its parameters."""

    params: list[str]
    returns: frozenset[int] = frozenset()
    ret_origins: frozenset[Origin] = frozenset()
    ret_safe: frozenset[str] = frozenset()
    sinks: list[tuple[int, str, ast.AST, str, str]] = field(default_factory=list)
    """(param index, kind, sink node, sink description, origin kind)."""


def collect_imports(tree: ast.Module) -> dict[str, str]:
    """Local name → fully qualified name, for every import anywhere in the module."""
    imports: dict[str, str] = {}
    for node in ast.walk(tree):
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
    return imports


@dataclass
class ModuleContext:
    """Everything shared by the functions of one module."""

    tree: ast.Module
    imports: dict[str, str]
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    request_names: set[str] = field(default_factory=set)
    framework: str = ""
    summaries: dict[str, Summary | None] = field(default_factory=dict)
    computing: set[str] = field(default_factory=set)
    raw: list[RawFinding] = field(default_factory=list)
    globals: dict[str, TV] = field(default_factory=dict)

    @classmethod
    def build(cls, tree: ast.Module) -> ModuleContext:
        imports = collect_imports(tree)
        ctx = cls(tree, imports)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ctx.functions.setdefault(node.name, node)
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
