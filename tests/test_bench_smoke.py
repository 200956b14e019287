"""The benchmarks run end to end at a tiny size (timings are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "scheduler.makespan_over_critical_path",
    "scheduler.speedup_vs_sequential",
    "scheduler.overhead_us_per_task",
    "context.prompt_tokens_vs_naive",
    "context.prompts_over_budget",
}


def test_bench_runs_tiny_and_merges_results(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    output.write_text(json.dumps({"other.figure": {"name": "other.figure", "value": 1}}))
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(output.read_text())
    assert FIGURES | {"other.figure"} == set(results)  # merged, not overwritten
    for name in FIGURES:
        figure = results[name]
        assert set(figure) == {"name", "value", "unit", "baseline", "params"}
        assert figure["name"] == name
        assert isinstance(figure["value"], int | float)
        assert figure["baseline"]
    assert results["context.prompts_over_budget"]["value"] == 0
    assert "scheduler.speedup_vs_sequential" in done.stdout
