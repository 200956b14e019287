"""GPU offload benchmark: protosmith's local backend on the GPU, against itself on the CPU and
against raw llama-cpp-python on the GPU, same model and prompts, in one run.

It answers two questions a CPU machine cannot: does the automatic layer plan (``n_gpu_layers``
left unset) really offload, and does the worker process cost anything once decoding is fast?
Skipped, recording nothing, when the installed llama.cpp build has no GPU offload. The model is
the embedded one, or any GGUF given with ``--model`` (``bench.random_gguf`` writes one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import figures, format_table, record, write_results
from bench.local_inference import PROMPTS

N_CTX = 2048


def _raw_gpu_model(path: Path, chat_format: str) -> Any:
    from llama_cpp import Llama

    from protosmith.llm.device import cpu_threads

    threads = cpu_threads()  # as the worker does, so only the plumbing differs
    return Llama(
        str(path),
        n_ctx=N_CTX,
        n_gpu_layers=-1,
        n_threads=threads,
        n_threads_batch=threads,
        chat_format=chat_format,
        verbose=False,
    )


async def _timed(backend: Any, prompt: str, tokens: int) -> tuple[float, int]:
    from protosmith.llm.base import CompletionRequest, Message

    request = CompletionRequest(
        messages=[Message(role="user", content=prompt)], max_tokens=tokens, temperature=0.0, seed=1
    )
    started = time.perf_counter()
    completion = await backend.complete(request)
    return time.perf_counter() - started, completion.usage.completion_tokens


def _raw_timed(raw: Any, prompt: str, tokens: int) -> tuple[float, int]:
    """Raw llama-cpp-python with the sampling protosmith's worker uses (the same work)."""
    from protosmith.llm.local_worker import SAMPLING

    started = time.perf_counter()
    response = raw.create_chat_completion(
        messages=[{"role": "user", "content": prompt}],
        max_tokens=tokens,
        temperature=0.0,
        seed=1,
        **SAMPLING,
    )
    return time.perf_counter() - started, response["usage"]["completion_tokens"]


async def measure(
    path: Path, *, chat_format: str, prompts: tuple[str, ...], max_tokens: int
) -> dict[str, Any]:
    """Interleave GPU (automatic plan), CPU (n_gpu_layers=0) and raw GPU, prompt by prompt."""
    from protosmith.llm.device import detect_device, plan_gpu_layers
    from protosmith.llm.local import LocalBackend

    device = detect_device()
    planned, plan_warnings = plan_gpu_layers(None)
    gpu = LocalBackend(path, n_ctx=N_CTX, chat_format=chat_format)
    cpu = LocalBackend(path, n_ctx=N_CTX, n_gpu_layers=0, chat_format=chat_format)
    raw = _raw_gpu_model(path, chat_format)
    totals: dict[str, list[tuple[float, int]]] = {"gpu": [], "cpu": [], "raw": []}
    ttft: dict[str, list[float]] = {"gpu": [], "cpu": [], "raw": []}
    try:
        for backend in (gpu, cpu):
            await _timed(backend, "Hi", 2)  # load the model and warm up
        _raw_timed(raw, "Hi", 2)
        for prompt in prompts:
            for tokens, sink in ((1, None), (max_tokens, totals)):
                for label in ("gpu", "cpu", "raw"):
                    if label == "raw":
                        seconds, count = _raw_timed(raw, prompt, tokens)
                    else:
                        seconds, count = await _timed(
                            gpu if label == "gpu" else cpu, prompt, tokens
                        )
                    if sink is None:
                        ttft[label].append(seconds)
                    else:
                        sink[label].append((seconds, count))
        worker = {"gpu": gpu.worker_info, "cpu": cpu.worker_info}
    finally:
        await gpu.aclose()
        await cpu.aclose()
        del raw

    def rate(label: str) -> float:
        return sum(n for _, n in totals[label]) / sum(s for s, _ in totals[label])

    return {
        "model": path.name,
        "model_mib": round(path.stat().st_size / 2**20, 1),
        "device": {"kind": device.kind, "name": device.name, "gpu_offload": device.gpu_offload},
        "planned_gpu_layers": planned,
        "plan_warnings": plan_warnings,
        "worker_gpu_layers": {k: v.get("n_gpu_layers") for k, v in worker.items()},
        "worker_warnings": {k: v.get("warnings", []) for k, v in worker.items()},
        "prompts": len(prompts),
        "max_tokens": max_tokens,
        "tok_s": {label: round(rate(label), 2) for label in totals},
        "tokens": {label: sum(n for _, n in rows) for label, rows in totals.items()},
        "ttft_s": {label: round(statistics.median(v), 4) for label, v in ttft.items()},
    }


def record_figures(result: dict[str, Any]) -> None:
    """Record the figures of one measurement (this run's, or one saved on a GPU machine)."""
    rates = result["tok_s"]
    record(
        "gpu.tok_s_vs_cpu",
        rates["gpu"] / rates["cpu"],
        "ratio",
        f"protosmith's local backend with n_gpu_layers=0 on {result['device']['name']}'s host: "
        f"{rates['cpu']:.1f} tok/s (GPU {rates['gpu']:.1f})",
        result,
    )
    record(
        "gpu.tok_s_vs_raw",
        rates["gpu"] / rates["raw"],
        "ratio (goal >= 0.9)",
        f"raw llama-cpp-python with n_gpu_layers=-1: {rates['raw']:.1f} tok/s",
        result,
    )
    record(
        "gpu.ttft_s",
        result["ttft_s"]["gpu"],
        "seconds (median)",
        f"raw llama-cpp-python on the GPU: {result['ttft_s']['raw']:.4f} s",
        result,
    )


def run(
    *,
    model: Path | None = None,
    chat_format: str | None = None,
    prompts: int = len(PROMPTS),
    max_tokens: int = 128,
) -> dict[str, Any] | None:
    """Record ``gpu.tok_s_vs_cpu`` and ``gpu.tok_s_vs_raw``; skip cleanly without offload."""
    from protosmith.llm.device import build_info

    info = build_info()
    if not info.gpu_offload:
        print(
            f"GPU offload benchmark skipped: this llama.cpp build has no GPU offload {info.error}"
        )
        return None
    if model is None:
        from protosmith.llm.embedded import CHAT_FORMAT, assembled_path

        found = assembled_path()
        if found is None:
            print("GPU offload benchmark skipped: no --model and no embedded model")
            return None
        model, chat_format = Path(found), chat_format or CHAT_FORMAT
    result = asyncio.run(
        measure(
            model,
            chat_format=chat_format or "chatml",
            prompts=PROMPTS[:prompts],
            max_tokens=max_tokens,
        )
    )
    record_figures(result)
    print(json.dumps(result, indent=2))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_offload", description=__doc__)
    parser.add_argument("--model", type=Path, help="a GGUF file (default: the embedded model)")
    parser.add_argument("--chat-format", help="chat format for --model (default: chatml)")
    parser.add_argument("--prompts", type=int, default=len(PROMPTS))
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="record a measurement saved by --json on a GPU machine into bench/results.json",
    )
    args = parser.parse_args(argv)
    if args.from_json is not None:
        record_figures(json.loads(args.from_json.read_text(encoding="utf-8")))
        write_results()
        print(format_table(figures()))
        return 0
    result = run(
        model=args.model,
        chat_format=args.chat_format,
        prompts=args.prompts,
        max_tokens=args.max_tokens,
    )
    if result is not None and args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
