"""Shared recording of benchmark figures: ``record(...)`` then ``write_results(...)``.

A figure is ``{name, value, unit, baseline, params}``: ``baseline`` says what the value is
measured against (in the same run), ``params`` holds the raw measurements and the settings,
so every ratio can be checked from the file alone.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"

_FIGURES: dict[str, dict[str, Any]] = {}


def record(name: str, value: float, unit: str, baseline: str, params: dict[str, Any]) -> None:
    """Remember one figure of this run (a later record with the same name replaces it)."""
    _FIGURES[name] = {
        "name": name,
        "value": round(float(value), 4),
        "unit": unit,
        "baseline": baseline,
        "params": params,
    }


def figures() -> dict[str, dict[str, Any]]:
    """The figures recorded in this process so far."""
    return dict(_FIGURES)


def clear() -> None:
    """Forget the figures recorded so far (for tests that run benchmarks twice)."""
    _FIGURES.clear()


def write_results(path: Path = RESULTS_PATH) -> dict[str, dict[str, Any]]:
    """Merge this run's figures into ``path`` (atomically) and return the merged object."""
    merged: dict[str, dict[str, Any]] = {}
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            loaded = {}
        if isinstance(loaded, dict):
            merged.update(loaded)
    merged.update(_FIGURES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(sorted(merged.items())), handle, indent=2)
            handle.write("\n")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return merged


def format_table(rows: dict[str, dict[str, Any]]) -> str:
    """A plain-text table of figures: name, value, unit, baseline."""
    header = ("figure", "value", "unit", "measured against")
    lines = [header] + [
        (row["name"], f"{row['value']:g}", row["unit"], row["baseline"]) for row in rows.values()
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    out = []
    for index, line in enumerate(lines):
        out.append(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
            + "  "
            + line[3]
        )
        if index == 0:
            out.append("  ".join("-" * width for width in widths) + "  " + "-" * len(header[3]))
    return "\n".join(out)
