"""Incremental benchmark: LLM calls of an unchanged re-run and of a one-scenario edit.

The scripted team (``tests/scripted_team.py``, a deterministic capable model) generates a
multi-component spec (the six-component diamond); then the same spec runs again unchanged
(goal: 0 calls), and then once more after one scenario's acceptance criteria change (goal:
at most 0.3 of a full run's calls). All three runs are in the same workspace, same process.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import record

ROOT = Path(__file__).resolve().parent.parent
DIAMOND = ROOT / "tests" / "workspaces" / "pipeline" / "diamond" / "protosmith.toml"
EDIT = ('acceptance = ["health returns ok"]', 'acceptance = ["health returns ok within 50 ms"]')


async def _run(spec: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    from protosmith.llm.scripted import ScriptedBackend
    from protosmith.pipeline.api import GenerateOptions
    from protosmith.pipeline.service import generate
    from scripted_team import Team

    backend = ScriptedBackend(function=Team().reply)
    started = time.perf_counter()
    summary = await generate(
        GenerateOptions(spec_path=spec, workspace=spec.parent), backend=backend, run_tests=False
    )
    if summary.status != "succeeded":
        raise RuntimeError(f"incremental benchmark run failed: {summary.message}")
    return {
        "calls": len(backend.requests),
        "cache_hits": summary.cache_hits,
        "seconds": round(time.perf_counter() - started, 3),
        "agents": sorted(r.agent for r in backend.requests),
    }


def measure(source: Path = DIAMOND) -> dict[str, Any]:
    """Full run, unchanged re-run, then a re-run after editing one scenario's criteria."""
    with tempfile.TemporaryDirectory(prefix="protosmith-bench-") as folder:
        spec = Path(folder) / "protosmith.toml"
        shutil.copy(source, spec)
        full = asyncio.run(_run(spec))
        unchanged = asyncio.run(_run(spec))
        text = spec.read_text(encoding="utf-8")
        if EDIT[0] not in text:
            raise RuntimeError(f"the benchmark spec has no {EDIT[0]!r} to edit")
        spec.write_text(text.replace(EDIT[0], EDIT[1]), encoding="utf-8")
        edited = asyncio.run(_run(spec))
    return {"spec": source.name, "full": full, "unchanged": unchanged, "edited": edited}


def run(source: Path = DIAMOND) -> None:
    """Record ``incremental.unchanged_rerun_calls`` and ``incremental.one_scenario_edit_call_fraction``."""
    result = measure(source)
    full, unchanged, edited = result["full"], result["unchanged"], result["edited"]
    record(
        "incremental.unchanged_rerun_calls",
        unchanged["calls"],
        "LLM calls (goal 0)",
        f"full run: {full['calls']} calls in {full['seconds']} s; re-run {unchanged['seconds']} s",
        result,
    )
    record(
        "incremental.one_scenario_edit_call_fraction",
        edited["calls"] / max(1, full["calls"]),
        "fraction of a full run's calls (goal <= 0.3)",
        f"full run of the same spec: {full['calls']} calls (6 components)",
        result,
    )
    print(
        f"incremental: full {full['calls']} calls, unchanged re-run {unchanged['calls']}, "
        f"one-scenario edit {edited['calls']} ({edited['calls'] / max(1, full['calls']):.2f})"
    )
