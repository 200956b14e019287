"""The OpenAI backend against the real ``python -m llama_cpp.server`` with the embedded model."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from protosmith.llm.base import CompletionRequest, Message, StructuredMode
from protosmith.llm.openai_backend import OpenAIBackend
from protosmith.llm.structured import complete_structured
from protosmith.settings import Settings

SERVER_EXTRAS = ("uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
READY_TIMEOUT_S = 180


class Fact(BaseModel):
    subject: str
    capital: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _model_or_skip() -> Path:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed")
    missing = [name for name in SERVER_EXTRAS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"llama-cpp-python[server] extras missing: {', '.join(missing)}")
    from protosmith.llm.embedded import assembled_path, embedded_model_path

    if assembled_path() is None:
        pytest.skip("the embedded model package is not installed")
    return embedded_model_path()


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    model = _model_or_skip()
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(model), "--model_alias", "gemma",
            "--chat_format", "gemma", "--interrupt_requests", "False",
            "--n_ctx", "2048", "--host", "127.0.0.1", "--port", str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},  # no spinning on a shared CI machine
    )  # fmt: skip
    ready = threading.Event()
    log: list[str] = []

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "Uvicorn running on" in line:
                ready.set()
        ready.set()  # the process ended: stop waiting

    threading.Thread(target=drain, daemon=True).start()
    try:
        if not ready.wait(READY_TIMEOUT_S) or process.poll() is not None:
            pytest.fail("llama_cpp.server did not start:\n" + "".join(log[-20:]))
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
async def test_structured_reply_through_llama_cpp_server(llama_server: str) -> None:
    backend = OpenAIBackend(Settings(backend="openai", base_url=llama_server, model="gemma"))
    assert backend.structured_mode == StructuredMode.JSON_OBJECT  # the server rejects json_schema
    result = await complete_structured(
        backend,
        [Message(role="user", content="France's capital is Paris. Reply in JSON.")],
        Fact,
        agent="test",
        max_tokens=64,
        temperature=0.0,
    )
    assert result.value.capital
    completion = result.completions[-1]
    assert completion.usage.prompt_tokens > 0 and not completion.usage.estimated
    assert completion.usage.cost_usd == 0.0

    truncated = await backend.complete(
        CompletionRequest(messages=[Message(role="user", content="Count to fifty.")], max_tokens=3)
    )
    assert truncated.finish_reason == "length"
    await backend.aclose()
