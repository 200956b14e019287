"""GPU offload with a real llama.cpp GPU build: runs only where one is installed.

CI machines have no GPU and a CPU-only build, so these tests skip there (saying why); the
device check (``bench/gpu_device_check.sh``) runs them on a machine with an NVIDIA GPU and a
CUDA build of llama-cpp-python. The model is written with random weights by
``bench.random_gguf`` (nothing is downloaded), so only plumbing is checked, never output.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from protosmith.llm.base import CompletionRequest, Message
from protosmith.llm.device import build_info, detect_device, plan_gpu_layers
from protosmith.llm.local import LocalBackend

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None or not build_info().gpu_offload,
        reason="this llama.cpp build has no GPU offload (CPU-only wheel or no GPU)",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("gguf") is None,
        reason="gguf (llama.cpp's gguf-py) is needed to write the random test model",
    ),
]


@pytest.fixture(scope="module")
def random_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.random_gguf import write_model

    return write_model(tmp_path_factory.mktemp("gguf") / "random.gguf", n_embd=256, n_layer=4)


def _complete(backend: LocalBackend, tokens: int = 16) -> tuple[int, dict[str, Any]]:
    """Completion tokens and what the worker reported at load (read before it is closed)."""

    async def go() -> tuple[int, dict[str, Any]]:
        try:
            request = CompletionRequest(
                messages=[Message(role="user", content="def add(a, b):")],
                max_tokens=tokens,
                temperature=0.0,
            )
            completion = await backend.complete(request)
            return completion.usage.completion_tokens, backend.worker_info
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_the_device_is_detected_as_a_gpu() -> None:
    device = detect_device()
    assert device.gpu_offload
    assert device.kind in {"cuda", "rocm", "metal", "vulkan", "sycl"}
    assert device.name and device.name != "cpu"
    assert not device.notes  # nothing to rebuild: the build matches the machine


def test_an_unset_layer_count_offloads_every_layer() -> None:
    assert plan_gpu_layers(None) == (-1, [])
    assert plan_gpu_layers(0) == (0, [])
    assert plan_gpu_layers(7) == (7, [])


def test_the_worker_runs_on_the_gpu_by_default(random_model: Path) -> None:
    backend = LocalBackend(random_model, n_ctx=1024, chat_format="chatml")
    tokens, info = _complete(backend)
    assert tokens == 16
    assert info["n_gpu_layers"] == -1
    assert info["warnings"] == []


def test_layers_zero_keeps_the_model_on_the_cpu(random_model: Path) -> None:
    backend = LocalBackend(random_model, n_ctx=1024, n_gpu_layers=0, chat_format="chatml")
    tokens, info = _complete(backend)
    assert tokens == 16
    assert info["n_gpu_layers"] == 0
    assert info["warnings"] == []


def _gpu_memory_used_mib() -> int:
    done = subprocess.run(
        ["nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return int(done.stdout.split()[0])


@pytest.mark.skipif(shutil.which("nvidia-smi") is None, reason="GPU memory is read with nvidia-smi")
def test_offloaded_weights_live_in_gpu_memory(random_model: Path) -> None:
    """A build that said it offloads but kept the weights on the CPU would use no more GPU
    memory with every layer offloaded than with none."""
    from bench.random_gguf import write_model

    bigger = write_model(random_model.with_name("bigger.gguf"), n_embd=1024, n_layer=8)
    weights_mib = bigger.stat().st_size / 2**20
    used: dict[int | None, int] = {}
    for layers in (0, None):
        backend = LocalBackend(bigger, n_ctx=1024, n_gpu_layers=layers, chat_format="chatml")

        async def loaded(backend: LocalBackend = backend) -> int:
            try:
                await backend.start()
                return _gpu_memory_used_mib()
            finally:
                await backend.aclose()

        used[layers] = asyncio.run(loaded())
    assert used[None] - used[0] > 0.8 * weights_mib, (used, weights_mib)
