"""Jinja2 and Django template files reached from render calls: which variables they print
without escaping (``{{ x|safe }}``, inside ``{% autoescape false %}``/``off``).

A render call passes data to a template by name; when the template marks that name safe, the
data reaches the HTML unescaped, which is the XSS the call itself does not show. Templates are
looked up in ``templates/`` folders from the module's folder up to the reviewed root, and read
at most once per review process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MAX_TEMPLATE_BYTES = 512_000

_SAFE = re.compile(r"\{\{-?\s*([A-Za-z_][\w.]*)[^}]*?\|\s*safe\b")
_BLOCK = re.compile(
    r"\{%-?\s*autoescape\s+(false|off)\s*-?%\}(.*?)(\{%-?\s*endautoescape\s*-?%\}|$)",
    re.DOTALL | re.IGNORECASE,
)
_PRINTED = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)")


def template_file(name: str, module: Path, root: Path) -> Path | None:
    """The template ``name`` for the module at ``module`` (absolute): ``templates/<name>``
    beside it or in a folder above it, inside ``root``."""
    if not name or ".." in Path(name).parts or Path(name).is_absolute():
        return None
    root = root.resolve()
    for folder in [module.parent, *module.parent.parents]:
        if folder != root and root not in folder.parents:
            break
        candidate = folder / "templates" / name
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=256)
def _unescaped(path: Path, mtime: float) -> frozenset[str]:
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            return frozenset()
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    names = {match.group(1).split(".")[0] for match in _SAFE.finditer(text)}
    for block in _BLOCK.finditer(text):
        names.update(_PRINTED.findall(block.group(2)))
    return frozenset(names)


def unescaped_names(name: str, module: Path, root: Path) -> frozenset[str]:
    """Variables the template ``name`` prints unescaped (empty when it is not found)."""
    path = template_file(name, module, root)
    if path is None:
        return frozenset()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return frozenset()
    return _unescaped(path, mtime)
