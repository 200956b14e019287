"""The language server's modules depend downward only: no import cycle, type-only imports too.

Converters, protocol and arguments sit at the bottom, the server object in the middle, the
handlers on top, and ``lsp/app.py`` alone knows both the server and its handlers.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import protosmith.lsp

PACKAGE = Path(protosmith.lsp.__file__).parent


def _imports() -> dict[str, set[str]]:
    """Each lsp module and the lsp modules it imports anywhere (``TYPE_CHECKING`` included)."""
    names = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target.startswith("protosmith.lsp."):
                    module = target.split(".")[2]
                    if module in names and module != name:
                        found.add(module)
        graph[name] = found
    return graph


def test_the_lsp_package_has_no_import_cycle() -> None:
    order = list(graphlib.TopologicalSorter(_imports()).static_order())  # CycleError on a cycle
    assert order.index("server") < order.index("handlers") < order.index("app")


def test_the_bottom_layer_imports_nothing_above_it() -> None:
    graph = _imports()
    for low in ("convert", "arguments", "protocol", "transport", "config", "runs", "documents"):
        assert "server" not in graph[low] and "handlers" not in graph[low], (low, graph[low])
    assert "app" not in {module for imports in graph.values() for module in imports}
