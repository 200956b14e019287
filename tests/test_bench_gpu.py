"""The GPU benchmark's own plumbing, on the CPU: the random model, the measurement, the figures.

The GPU figures themselves come from a machine with a GPU (``bench/gpu_device_check.sh``); this
checks here that the same code measures, skips and records correctly.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import common
from bench.gpu_offload import measure, record_figures, run
from protosmith.llm.device import build_info

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed yet")
pytest.importorskip("gguf", reason="gguf writes the random model")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.random_gguf import write_model

    return write_model(tmp_path_factory.mktemp("gguf") / "tiny.gguf", n_embd=128, n_layer=2)


@pytest.mark.slow
def test_the_random_model_loads_and_decodes_every_token_asked_for(tiny_model: Path) -> None:
    result = asyncio.run(
        measure(tiny_model, chat_format="chatml", prompts=("hello", "def f():"), max_tokens=12)
    )
    # The model's output layer never favours end-of-sequence, so every side decodes in full
    # (12 tokens for each of two prompts; the one-token first-token passes are not counted).
    # With a repeat penalty llama-cpp-python may add one token to finish a split UTF-8
    # character, on every side alike, since all three sample the same way.
    tokens = result["tokens"]
    assert tokens["gpu"] == tokens["cpu"] == tokens["raw"]
    assert 24 <= tokens["raw"] <= 26
    assert result["worker_gpu_layers"]["cpu"] == 0
    assert all(rate > 0 for rate in result["tok_s"].values())
    if not build_info().gpu_offload:
        assert result["planned_gpu_layers"] == 0
        assert result["worker_gpu_layers"]["gpu"] == 0
        assert result["device"]["kind"] == "cpu"


@pytest.mark.skipif(build_info().gpu_offload, reason="this build offloads: the bench would run")
def test_a_cpu_only_build_records_nothing(
    tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common.clear()
    assert run(model=tiny_model) is None
    assert common.figures() == {}
    assert "no GPU offload" in capsys.readouterr().out


def test_figures_are_ratios_of_one_measurement() -> None:
    common.clear()
    record_figures(
        {
            "device": {"kind": "cuda", "name": "Some GPU", "gpu_offload": True},
            "tok_s": {"gpu": 600.0, "cpu": 30.0, "raw": 640.0},
            "ttft_s": {"gpu": 0.01, "cpu": 0.3, "raw": 0.009},
        }
    )
    figures = common.figures()
    assert figures["gpu.tok_s_vs_cpu"]["value"] == 20.0
    assert figures["gpu.tok_s_vs_raw"]["value"] == pytest.approx(0.9375)
    assert figures["gpu.ttft_s"]["value"] == 0.01
    assert "Some GPU" in figures["gpu.tok_s_vs_cpu"]["baseline"]
    common.clear()
