"""The benchmarks run end to end at a tiny size (timings are never asserted)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "scheduler.makespan_over_critical_path",
    "scheduler.speedup_vs_sequential",
    "scheduler.overhead_us_per_task",
    "scheduler.makespan_over_critical_path_at_width",
    "scheduler.makespan_over_ideal_list_schedule",
    "context.prompt_tokens_vs_naive",
    "context.prompts_over_budget",
    "incremental.unchanged_rerun_calls",
    "incremental.one_scenario_edit_call_fraction",
    "review.files_per_s_vs_bandit",
    "review.peak_memory_mib",
    "lsp.idle_p99_ms",
    "spec.check_seconds.scenarios",
    "spec.check_seconds.multiline",
    "spec.check_seconds.free_tables",
    "lsp.busy_p99_ms",
    "lsp.saving_p99_ms",
}
MODEL_FIGURES = {
    "local.tok_s_vs_raw",
    "local.ttft_s",
    "structured.first_try_valid_share",
    "structured.after_retries_valid_share",
}
"""Recorded only where llama_cpp and the embedded model are installed (else skipped cleanly)."""
GPU_FIGURES = {"gpu.tok_s_vs_cpu", "gpu.tok_s_vs_raw", "gpu.ttft_s"}
"""Recorded only where the llama.cpp build offloads to a GPU and the embedded model is there."""


def _gpu_offload() -> bool:
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    from protosmith.llm.device import build_info

    return build_info().gpu_offload


def _model_installed() -> bool:
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    from protosmith.llm.embedded import assembled_path

    return assembled_path() is not None


@pytest.mark.slow
def test_bench_runs_tiny_and_merges_results(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    output.write_text(json.dumps({"other.figure": {"name": "other.figure", "value": 1}}))
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(output.read_text())
    expected = FIGURES | (MODEL_FIGURES if _model_installed() else set())
    if _model_installed() and _gpu_offload():
        expected |= GPU_FIGURES
    assert expected | {"other.figure"} == set(results)  # merged, not overwritten
    for name in expected:
        figure = results[name]
        assert set(figure) == {"name", "value", "unit", "baseline", "params"}
        assert figure["name"] == name
        assert isinstance(figure["value"], int | float)
        assert figure["baseline"]
    assert results["context.prompts_over_budget"]["value"] == 0
    assert "scheduler.speedup_vs_sequential" in done.stdout
    assert results["incremental.unchanged_rerun_calls"]["value"] == 0
