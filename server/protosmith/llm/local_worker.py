"""The llama.cpp worker process: one model, one request at a time, JSON lines over pipes.

Run as ``python -m protosmith.llm.local_worker``. A native abort in llama.cpp (GGML_ASSERT,
a segfault on an unsupported CPU path) kills only this process; the parent reports it and
starts a new worker. The protocol, one JSON object per line:

- parent → ``{"op": "load", "model_path", "n_ctx", "n_gpu_layers", "chat_format"}``;
  worker → ``{"ok": true, "chat_format", "n_ctx", "n_gpu_layers", "warnings", ...}``
- parent → ``{"op": "complete", "messages", "max_tokens", "temperature", "stop", "seed",
  "schema"}``; worker → ``{"ok": true, "text", "finish_reason", "usage", "seconds"}``
- parent → ``{"op": "shutdown"}``; the worker exits.

Any failure the worker survives comes back as ``{"ok": false, "error": "..."}``.
The protocol uses a private copy of stdout; fd 1 is pointed at stderr so that anything the
native library prints can never corrupt the protocol stream.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

from protosmith.llm.device import build_info, needs_amx_guard, plan_gpu_layers
from protosmith.priority import die_with_parent

REPEAT_PENALTY = 1.1
"""What ``python -m llama_cpp.server`` applies by default; ``Llama.create_chat_completion``
defaults to 1.0 (none). Without it the embedded 270M model loops ("This is a project for the
project name. This project is...") until max_tokens: measured on the ``init`` request, 1536
tokens and no valid draft in 226 s, against a complete 232-token draft in 50 s with 1.1."""
SAMPLING = {"top_k": 40, "top_p": 0.95, "min_p": 0.05, "repeat_penalty": REPEAT_PENALTY}
"""The llama.cpp server's sampling defaults, so a local model answers as it does over HTTP."""


def thread_counts(cores: int) -> tuple[int, int]:
    """Threads for generation and for prompt processing: llama.cpp's own defaults.

    Generation is memory-bound and its threads meet at a barrier after every operation; on a
    machine whose cores are busy (CI, a build, other agents) each extra thread waits for the
    slowest one. Measured on 2 busy cores: 4.7 tokens/s with one generation thread, 1.7 with two.
    Prompt processing is compute-bound and uses every core.
    """
    return max(cores // 2, 1), max(cores, 1)


def available_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def choose_chat_format(metadata: dict[str, str], override: str | None) -> str | None:
    """The override, else "gemma" for template-less Gemma models, else None (library's choice).

    llama-cpp-python falls back to "llama-2" for a model without ``tokenizer.chat_template``,
    and the embedded Gemma then answers with empty strings.
    """
    if override:
        return override
    has_template = any(key.startswith("tokenizer.chat_template") for key in metadata)
    architecture = metadata.get("general.architecture", "")
    if not has_template and architecture.startswith("gemma"):
        return "gemma"
    return None


@contextlib.contextmanager
def _without_extra_buffer_types() -> Iterator[None]:
    """Load with ``use_extra_bufts=False``: native builds crash in the AMX matmul path.

    ``Llama()`` ignores unknown keyword arguments, so the only way to set this model
    parameter is through the defaults it starts from.
    """
    from llama_cpp import llama_cpp as low_level

    original = low_level.llama_model_default_params

    def patched() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    low_level.llama_model_default_params = patched
    try:
        yield
    finally:
        low_level.llama_model_default_params = original


class Worker:
    """Holds the model and answers requests."""

    def __init__(self) -> None:
        self.llm: Any = None
        self.model_name = ""

    def load(self, request: dict[str, Any]) -> dict[str, Any]:
        from llama_cpp import Llama

        warnings: list[str] = []
        n_gpu_layers, offload_warnings = plan_gpu_layers(request.get("n_gpu_layers"))
        warnings.extend(offload_warnings)
        system_info = build_info().system_info
        guard = needs_amx_guard(system_info)
        if guard:
            warnings.append("AMX CPU with a native llama.cpp build: extra buffer types disabled")
        threads, batch_threads = thread_counts(available_cores())
        options: dict[str, Any] = {
            "n_ctx": int(request.get("n_ctx", 8192)),
            "n_gpu_layers": n_gpu_layers,
            "n_threads": threads,
            "n_threads_batch": batch_threads,
            "verbose": False,
        }
        with _without_extra_buffer_types() if guard else contextlib.nullcontext():
            self.llm = Llama(request["model_path"], **options)
        chat_format = choose_chat_format(self.llm.metadata, request.get("chat_format"))
        if chat_format is not None:
            self.llm.chat_format = chat_format
        self.model_name = os.path.basename(request["model_path"])
        return {
            "ok": True,
            "chat_format": self.llm.chat_format,
            "n_ctx": self.llm.n_ctx(),
            "n_gpu_layers": n_gpu_layers,
            "n_threads": threads,
            "n_threads_batch": batch_threads,
            "architecture": self.llm.metadata.get("general.architecture", ""),
            "warnings": warnings,
            "pid": os.getpid(),
        }

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.llm is None:
            return {"ok": False, "error": "no model loaded"}
        schema = request.get("schema")
        started = time.perf_counter()
        response = self.llm.create_chat_completion(
            messages=request["messages"],
            max_tokens=int(request["max_tokens"]),
            temperature=float(request.get("temperature", 0.2)),
            stop=request.get("stop") or [],
            seed=request.get("seed"),
            response_format={"type": "json_object", "schema": schema} if schema else None,
            model=self.model_name,
            **SAMPLING,
        )
        choice = response["choices"][0]
        return {
            "ok": True,
            "text": choice["message"].get("content") or "",
            "finish_reason": choice.get("finish_reason") or "stop",
            "usage": response.get("usage") or {},
            "seconds": time.perf_counter() - started,
        }

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        try:
            if op == "load":
                return self.load(request)
            if op == "complete":
                return self.complete(request)
        except (ValueError, RuntimeError, KeyError, TypeError) as error:
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}
        return {"ok": False, "error": f"unknown op {op!r}"}


def _protocol_stream() -> IO[str]:
    """A private copy of stdout for replies; fd 1 now goes to stderr."""
    sys.stdout.flush()
    private = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(private, "w", encoding="utf-8", buffering=1)


def main() -> int:
    """Serve requests from stdin until EOF or shutdown."""
    die_with_parent()
    out = _protocol_stream()
    worker = Worker()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            reply: dict[str, Any] = {"ok": False, "error": f"bad request line: {error}"}
        else:
            if request.get("op") == "shutdown":
                break
            reply = worker.handle(request)
        out.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
