"""Impact analysis from the real Python import graph, and consistent global renames.

Global refactoring must touch every module that depends on the changed name and nothing else,
so the import graph comes from parsing the code (``ast``), not from regular expressions, and
renames work on the syntax tree, so strings and comments that merely contain the word are
left alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from protosmith.analysis.positions import split_lines, utf8_to_index

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".protosmith", ".mypy_cache"}


def python_files(root: Path) -> list[Path]:
    """Python files under ``root``, skipping virtualenvs, caches and VCS folders."""
    if root.is_file():
        return [root]
    return sorted(
        path
        for path in root.rglob("*.py")
        if not any(part in SKIP_DIRS for part in path.relative_to(root).parts)
    )


def module_name(path: Path, root: Path) -> str:
    """Dotted module name of ``path`` relative to ``root`` (``pkg/mod.py`` → ``pkg.mod``)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass
class ImportGraph:
    """Which module imports which, and which names each imports from where."""

    modules: dict[str, Path] = field(default_factory=dict)
    imports: dict[str, set[str]] = field(default_factory=dict)
    imported_names: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """importer → {module → names imported with ``from module import name``}."""

    def dependants(self, module: str) -> set[str]:
        """Modules that import ``module``, directly or transitively."""
        found: set[str] = set()
        frontier = {module}
        while frontier:
            current = frontier.pop()
            for importer, targets in self.imports.items():
                if current in targets and importer not in found:
                    found.add(importer)
                    frontier.add(importer)
        return found


def _resolve(importer: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    keep = len(base) - node.level + (1 if is_package else 0)
    prefix = base[: max(keep, 0)]
    return ".".join([*prefix, node.module] if node.module else prefix)


def build_import_graph(root: Path) -> ImportGraph:
    """Parse every Python file under ``root`` and record its imports of modules under ``root``."""
    graph = ImportGraph()
    trees: dict[str, ast.Module] = {}
    for path in python_files(root):
        name = module_name(path, root)
        try:
            trees[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        graph.modules[name] = path
    for name, tree in trees.items():
        is_package = graph.modules[name].name == "__init__.py"
        targets: set[str] = set()
        names: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name in graph.modules)
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(name, node, is_package)
                for alias in node.names:
                    submodule = f"{source}.{alias.name}" if source else alias.name
                    if submodule in graph.modules:
                        targets.add(submodule)
                    elif source in graph.modules:
                        targets.add(source)
                        names.setdefault(source, set()).add(alias.name)
        graph.imports[name] = targets
        graph.imported_names[name] = names
    return graph


def defining_module(graph: ImportGraph, symbol: str) -> str | None:
    """The module that defines ``symbol`` at top level (function, class or assignment)."""
    for name, path in graph.modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name == symbol:
                    return name
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == symbol for t in node.targets
            ):
                return name
    return None


def _identifier_spans(tree: ast.AST, source_lines: list[str], old: str) -> list[tuple[int, int]]:
    """(line index, code-point column) of every use of ``old`` as an identifier, f-strings included.

    The AST's columns are UTF-8 byte offsets; they are converted with the line's text, so a use
    after ``€`` or ``é`` on the same line is found, not skipped.
    """
    spans: list[tuple[int, int]] = []

    def add(line: int, byte_column: int) -> None:
        text = source_lines[line] if 0 <= line < len(source_lines) else ""
        spans.append((line, utf8_to_index(text, byte_column)))

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == old:
            add(node.lineno - 1, node.col_offset)
        elif isinstance(node, ast.Attribute) and node.attr == old and node.end_lineno:
            add(node.end_lineno - 1, (node.end_col_offset or 0) - len(old))
        elif isinstance(node, ast.alias) and node.name == old:
            add(node.lineno - 1, node.col_offset)
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == old
        ):
            line = source_lines[node.lineno - 1]
            keyword = "class " if isinstance(node, ast.ClassDef) else "def "
            column = line.find(keyword + old, utf8_to_index(line, node.col_offset))
            if column >= 0:
                spans.append((node.lineno - 1, column + len(keyword)))
    return spans


def remaining_uses(source: str, old: str) -> list[int]:
    """One-based lines where ``old`` is still used as an identifier (a rename must leave none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = split_lines(source, keepends=True)
    return sorted({row + 1 for row, _ in _identifier_spans(tree, lines, old)})


def rename_identifier(source: str, old: str, new: str) -> str:
    """Replace the identifier ``old`` with ``new`` where the AST uses it as a name.

    Strings, comments and docstrings that merely contain the word are left alone.
    """
    tree = ast.parse(source)
    lines = split_lines(source, keepends=True)
    # Edit from the end so earlier offsets on the same line stay valid.
    for row, col in sorted(set(_identifier_spans(tree, lines, old)), reverse=True):
        line = lines[row]
        if line[col : col + len(old)] == old:
            lines[row] = line[:col] + new + line[col + len(old) :]
    return "".join(lines)


def _affected(graph: ImportGraph, root: Path, old: str) -> set[str]:
    """The defining module of ``old`` and every module that imports it or uses it through its module."""
    owner = defining_module(graph, old)
    if owner is None:
        raise LookupError(f"no top-level definition of {old!r} under {root}")
    affected = {owner}
    for importer, names in graph.imported_names.items():
        if old in names.get(owner, set()):
            affected.add(importer)
    for importer, targets in graph.imports.items():
        if owner in targets and old in graph.modules[importer].read_text(encoding="utf-8"):
            affected.add(importer)
    return affected


def plan_rename(root: Path, old: str, new: str) -> dict[Path, str]:
    """New text for every module affected by renaming the top-level symbol ``old`` to ``new``.

    Affected: the defining module and every module that imports the name from it or refers to
    it through the module (``mod.old``), found in the import graph.
    """
    graph = build_import_graph(root)
    changes: dict[Path, str] = {}
    for module in sorted(_affected(graph, root, old)):
        path = graph.modules[module]
        before = path.read_text(encoding="utf-8")
        after = rename_identifier(before, old, new)
        if after != before:
            changes[path] = after
    return changes


def rename_leftovers(root: Path, old: str, changes: dict[Path, str]) -> list[str]:
    """``file:line`` of every use of ``old`` a planned rename would leave in the affected modules.

    Checked on the texts after the change (``changes``, else the file as it is), so a use the
    rename missed is caught before the edit is offered, whatever the reason it was missed.
    """
    graph = build_import_graph(root)
    left: list[str] = []
    for module in sorted(_affected(graph, root, old)):
        path = graph.modules[module]
        after = changes.get(path)
        if after is None:
            after = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        left.extend(f"{name}:{line}" for line in remaining_uses(after, old))
    return left
