"""Checks an edit must pass before it is offered: it parses and defines every name it reads.

Pure functions over text, shared by the refinement use case (:mod:`protosmith.services.refine`);
also the whole-file edit and unified diff that carry a refinement to the editor and the CLI.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import json
import symtable
from collections.abc import Mapping
from pathlib import Path

from protosmith.analysis.findings import Position, Range, TextEdit


def whole_file_edit(path: Path, before: str, after: str) -> TextEdit:
    """A single edit replacing the whole of ``before`` with ``after``."""
    lines = before.splitlines(keepends=True)
    end = Position(line=len(lines), character=0)
    if lines and not lines[-1].endswith(("\n", "\r")):
        end = Position(line=len(lines) - 1, character=len(lines[-1]))
    return TextEdit(
        path=str(path), range=Range(start=Position(line=0, character=0), end=end), new_text=after
    )


def unified_diff(changes: Mapping[Path, tuple[str, str]], root: Path) -> str:
    """A unified diff of every change, with paths relative to ``root``."""
    chunks: list[str] = []
    for path, (before, after) in sorted(changes.items()):
        name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        chunks.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                f"a/{name}",
                f"b/{name}",
            )
        )
    return "".join(chunks)


def syntax_problem(path: Path, text: str) -> str | None:
    if path.suffix == ".py":
        try:
            ast.parse(text, filename=str(path))
        except SyntaxError as error:
            return f"{path.name}:{error.lineno}: {error.msg}"
    elif path.suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            return f"{path.name}:{error.lineno}: {error.msg}"
    return None


_MODULE_NAMES = frozenset(
    {"__file__", "__path__", "__cached__", "__builtins__", "__annotations__", "__dict__"}
)


def undefined_names(text: str) -> dict[str, int] | None:
    """Global names ``text`` reads but never defines (name → first one-based line).

    None when it cannot be told: the text does not parse, or a star import may define anything.
    Read from the symbol table, so locals, parameters, closures and builtins are no problem.
    """
    try:
        tree = ast.parse(text)
        table = symtable.symtable(text, "<refined>", "exec")
    except (SyntaxError, ValueError):
        return None
    if any(
        isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
        for node in ast.walk(tree)
    ):
        return None
    defined = set(dir(builtins)) | _MODULE_NAMES
    read: set[str] = set()
    pending = [table]
    while pending:
        scope = pending.pop()
        pending.extend(scope.get_children())
        module = scope.get_type() == "module"
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if (module or symbol.is_declared_global()) and (
                symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
            ):
                defined.add(name)
            elif symbol.is_referenced() and (module or symbol.is_global()):
                read.add(name)
    missing = read - defined
    lines: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in missing:
            lines[node.id] = min(lines.get(node.id, node.lineno), node.lineno)
    return lines


def new_undefined_names(path: Path, before: str, after: str) -> str:
    """The names the edit leaves undefined that were defined before, as ``name (line N)``."""
    if path.suffix != ".py":
        return ""
    now, was = undefined_names(after), undefined_names(before)
    if now is None or was is None:
        return ""
    return ", ".join(
        f"{name} (line {line})" for name, line in sorted(now.items()) if name not in was
    )
