"""protosmith's packages depend downward only, and no module imports itself back in a cycle.

The layers, lowest first (docs/architecture.md draws them):

- ground floor: settings, languages, exit codes, the rule book and its tables, the graph, child
  processes, priorities, scratch folders, interrupts, prompts, the secrets redactor;
- engines: spec and llm; context (prompt budgets) and analysis (pure: no model, no execution);
  agents and execution;
- services (the review and refine use cases), then pipeline (generation, which reviews and
  refines what it writes), then report;
- surfaces: commands and lsp, then cli.

Type-only imports count too: a cycle through ``TYPE_CHECKING`` still means two modules that must
be read together.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import protosmith

ROOT = Path(protosmith.__file__).parent

GROUND = {
    "settings",
    "languages",
    "exit_codes",
    "rules",
    "rulebook",
    "graph",
    "childproc",
    "priority",
    "scratch",
    "interrupts",
    "prompts",
    "context.secrets",
    # The rule tables are data (codes, titles, CWEs) that only the rule book gathers.
    "spec.rules",
    "analysis.rules",
    "analysis.llm_rules",
    "execution.rules",
}
LAYERS: dict[str, int] = {
    "spec": 1,
    "llm": 1,
    "context": 2,
    "analysis": 2,
    "agents": 3,
    "execution": 3,
    "services": 4,
    "pipeline": 5,
    "report": 6,
    "lsp": 7,
    "commands": 8,
    "cli": 9,
    "__main__": 10,
}
"""A module may import its own package, the ground floor, and packages of a lower number."""
FORBIDDEN = {
    # Pure engines that would otherwise be allowed by number.
    "analysis": {"llm", "agents", "execution", "context"},
}
"""Pairs the numbers allow but the design does not."""


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports() -> dict[str, set[str]]:
    """Each protosmith module (dotted, without ``protosmith.``) and the modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    start = ".".join([*base, node.module] if node.module else base)
                elif node.module and node.module.startswith("protosmith"):
                    start = node.module.removeprefix("protosmith").lstrip(".")
                else:
                    continue
                targets = [start, *(f"{start}.{alias.name}".lstrip(".") for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [
                    alias.name.removeprefix("protosmith").lstrip(".")
                    for alias in node.names
                    if alias.name.startswith("protosmith.")
                ]
            else:
                continue
            found.update(t for t in targets if t in modules and t != name and t)
        graph[name] = found
    return graph


def _floor(module: str) -> str:
    """The layer a module belongs to: a ground-floor name, or its top-level package."""
    for ground in GROUND:
        if module == ground or module.startswith(ground + "."):
            return "ground"
    return module.split(".")[0]


def test_no_import_cycle_anywhere() -> None:
    graphlib.TopologicalSorter(_imports()).prepare()  # raises CycleError naming the cycle


def test_every_import_runs_down_a_layer() -> None:
    wrong: list[str] = []
    for module, targets in _imports().items():
        low = _floor(module)
        for target in targets:
            high = _floor(target)
            if high in ("ground", low) or module == "":
                continue
            if low == "ground":
                wrong.append(f"{module} (ground floor) imports {target}")
            elif high in FORBIDDEN.get(low, set()):
                wrong.append(f"{module} imports {target}: {low} must not use {high}")
            elif LAYERS[high] >= LAYERS[low]:
                wrong.append(f"{module} ({low}) imports {target} ({high}), which is not below it")
    assert not wrong, "\n".join(sorted(wrong))
