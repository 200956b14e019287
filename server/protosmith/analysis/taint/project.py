"""Cross-module taint: the reviewed tree's own modules, found on disk and summarized on demand.

A multi-module prototype splits a request handler from the repository that builds the SQL, so a
module-at-a-time analysis sees neither half of the flow. When a call resolves through the
module's imports to a function of another module of the same tree, that module is parsed and
the function summarized (what reaches its sinks, what it returns, what it sanitizes) exactly as
for a same-module function; the flow is reported at the call site, naming the sink's file and line.
A call with clean arguments is followed too, for what the callee returns: a helper in another
module that returns request data is a source. Names whose top-level module is the standard
library are never looked for, and each module name is probed once per analyzed file.

Modules are found by probing the file system, never by importing: beside the importing file, in
each folder above it up to the workspace root, and under ``src/``. Nothing outside the workspace is read, files over
``MAX_BYTES`` are skipped, and parsed modules are cached by path, size and modification time.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections import OrderedDict
from pathlib import Path

from protosmith.analysis.fstrings import parse_module
from protosmith.analysis.taint.context import ModuleContext, Target

log = logging.getLogger(__name__)

MAX_BYTES = 1_000_000
MAX_DEPTH = 4
"""Nested cross-module summaries (a calls b calls c ...) followed at most this deep."""
CACHE_SIZE = 48
SOURCE_ROOTS = ("", "src")

_CACHE: OrderedDict[tuple[str, int, int], ModuleContext | None] = OrderedDict()


def module_name(path: str) -> str:
    """Dotted module name of a workspace-relative path (``app/db.py`` → ``app.db``)."""
    parts = Path(path).with_suffix("").parts
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


class ProjectIndex:
    """The tree's modules as the analysis of one file sees them (its folder first)."""

    def __init__(self, root: Path, path: str) -> None:
        self.root = root.resolve()
        self.path = path
        """The analyzed file, relative to ``root``."""
        self.depth = 0
        self._found: dict[str, tuple[Path, str] | None] = {}

    def resolve(self, qualified: str) -> Target | None:
        """The function ``qualified`` names (``pkg.mod.func`` or ``pkg.mod.Class.method``), if
        the tree has it."""
        if self.depth >= MAX_DEPTH:
            return None
        parts = qualified.split(".")
        if parts[0] in sys.stdlib_module_names:
            return None  # `import json` is the standard library's, not a file of the tree
        for cut in (1, 2):
            if len(parts) <= cut:
                break
            module, function = ".".join(parts[:-cut]), ".".join(parts[-cut:])
            found = self._find(module)
            if found is None:
                continue
            file, relative = found
            ctx = _load(file, self, relative)
            if ctx is not None and function in ctx.functions:
                return Target(ctx, relative, function)
        return None

    def _find(self, module: str) -> tuple[Path, str] | None:
        if module not in self._found:
            self._found[module] = self._probe(module)
        return self._found[module]

    def _probe(self, module: str) -> tuple[Path, str] | None:
        parts = module.split(".")
        here = (self.root / self.path).parent
        # The importing file's folder and each folder above it (wherever the package root is),
        # then the workspace root and its src/.
        bases = [here, *here.parents, *(self.root / base for base in SOURCE_ROOTS)]
        bases = [base for base in bases if base == self.root or self.root in base.parents]
        for base in dict.fromkeys(bases):
            for candidate in (
                base.joinpath(*parts).with_suffix(".py"),
                base.joinpath(*parts, "__init__.py"),
            ):
                try:  # one stat for the usual miss; the full resolution only for a hit
                    resolved = candidate.resolve() if candidate.is_file() else None
                except OSError:
                    continue
                if resolved is None or not resolved.is_relative_to(self.root):
                    continue  # never read outside the workspace (symlinks included)
                relative = resolved.relative_to(self.root).as_posix()
                if relative == self.path:
                    return None  # the module itself (same-module summaries handle it)
                return resolved, relative
        return None


def _load(file: Path, project: ProjectIndex, relative: str) -> ModuleContext | None:
    """A parsed, cached module context for ``file``; None when too big or unparsable."""
    try:
        stat = file.stat()
    except OSError:
        return None
    key = (str(file), stat.st_size, stat.st_mtime_ns)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        ctx = _CACHE[key]
    else:
        ctx = _parse(file, stat.st_size, relative)
        _CACHE[key] = ctx
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    if ctx is not None:
        # The callee's own calls resolve from its folder, one level deeper.
        ctx.project = ProjectIndex(project.root, relative)
        ctx.project.depth = project.depth + 1
    return ctx


def _parse(file: Path, size: int, relative: str) -> ModuleContext | None:
    if size > MAX_BYTES:
        return None
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = parse_module(text, filename=relative)
    except (OSError, SyntaxError, ValueError) as error:
        log.debug("cross-module taint skips %s: %s", relative, error)
        return None
    return ModuleContext.build(tree, module=module_name(relative))
