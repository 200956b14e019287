"""The OpenAI-compatible backend against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from fake_openai_server import Drop, Empty, FakeOpenAIServer, Malformed, Reply, Stall, Status
from protosmith.llm.base import CompletionRequest, Message, StructuredMode
from protosmith.llm.errors import BackendError, BackendUnavailable
from protosmith.llm.openai_backend import OpenAIBackend, default_structured_mode
from protosmith.llm.structured import complete_structured
from protosmith.settings import Settings

SECRET = "sk-test-do-not-print-0123456789"


class Answer(BaseModel):
    answer: int


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def make(server: FakeOpenAIServer, **overrides: object) -> OpenAIBackend:
    settings = Settings.model_validate(
        {"backend": "openai", "base_url": server.base_url, "model": "gpt-4o-mini", **overrides}
    )
    return OpenAIBackend(settings, backoff_base_s=0.05)


def request(**extra: object) -> CompletionRequest:
    return CompletionRequest(messages=[Message(role="user", content="2+2?")], **extra)  # type: ignore[arg-type]


async def test_reply_usage_and_cost(server: FakeOpenAIServer) -> None:
    server.enqueue(Reply("four", prompt_tokens=1000, completion_tokens=100))
    server.models = ("gpt-4o-mini",)  # prices apply to a model the endpoint lists
    backend = make(server, max_retries=0)
    await backend.endpoint_limits()
    completion = await backend.complete(request(max_tokens=50, seed=7, stop=["\n\n"]))
    assert completion.text == "four" and completion.finish_reason == "stop"
    assert completion.usage.prompt_tokens == 1000 and not completion.usage.estimated
    assert completion.usage.cost_usd == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1e6)
    body = server.completion_requests[0].body
    assert body["model"] == "gpt-4o-mini" and body["max_tokens"] == 50
    assert body["seed"] == 7 and body["stop"] == ["\n\n"]
    assert server.completion_requests[0].headers["authorization"] == "Bearer not-needed"
    caps = backend.capabilities
    assert caps.parallel_slots == 4 and caps.context_window == 128_000
    assert caps.token_counter.exact and caps.structured_mode == StructuredMode.JSON_OBJECT
    await backend.aclose()


async def test_missing_usage_is_counted_and_marked_estimated(server: FakeOpenAIServer) -> None:
    server.enqueue(Reply("hello there", usage=False), Reply("cut", finish_reason="length"))
    backend = make(server)
    completion = await backend.complete(request())
    assert completion.usage.estimated
    assert completion.usage.completion_tokens == backend.token_counter.count("hello there")
    assert (await backend.complete(request())).finish_reason == "length"


@pytest.mark.parametrize(
    ("mode", "expected_type"),
    [(None, "json_object"), ("json_schema", "json_schema"), ("none", None)],
)
async def test_structured_modes(
    server: FakeOpenAIServer, mode: str | None, expected_type: str | None
) -> None:
    server.enqueue(Reply('{"answer": 4}'))
    backend = make(server, structured_mode=mode)
    result = await complete_structured(
        backend, [Message(role="user", content="2+2?")], Answer, agent="t"
    )
    assert result.value.answer == 4
    body = server.completion_requests[0].body
    fmt = body.get("response_format")
    if expected_type is None:
        assert fmt is None
        assert '"answer"' in body["messages"][-1]["content"]  # the schema rides in the prompt
    elif expected_type == "json_object":
        assert fmt == {"type": "json_object", "schema": Answer.model_json_schema()}
    else:
        assert fmt["type"] == "json_schema"
        assert fmt["json_schema"]["schema"] == Answer.model_json_schema()


def test_default_structured_mode_per_endpoint() -> None:
    assert default_structured_mode("https://api.openai.com/v1") == StructuredMode.JSON_SCHEMA
    assert default_structured_mode("http://localhost:8080/v1") == StructuredMode.JSON_OBJECT


async def test_401_names_the_env_var_and_never_the_key(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", SECRET)
    server.enqueue(Status(401, "invalid api key"))
    backend = make(server, api_key_env="MY_LLM_KEY")
    with pytest.raises(BackendError) as caught:
        await backend.complete(request())
    message = str(caught.value)
    assert "authentication failed at " + server.base_url in message
    assert "MY_LLM_KEY" in message and SECRET not in message
    assert len(server.completion_requests) == 1  # never retried
    assert server.completion_requests[0].headers["authorization"] == f"Bearer {SECRET}"


async def test_404_says_which_model_and_how_to_list_them(server: FakeOpenAIServer) -> None:
    server.enqueue(Status(404, "model 'gpt-4o-mini' not found"))
    with pytest.raises(BackendError) as caught:
        await make(server).complete(request())
    message = str(caught.value)
    assert "'gpt-4o-mini' not found at " + server.base_url in message
    assert "--model" in message and "/models" in message
    assert len(server.completion_requests) == 1


async def test_429_honours_retry_after_then_succeeds(server: FakeOpenAIServer) -> None:
    server.enqueue(Status(429, "slow down", headers={"Retry-After": "1"}), Reply("ok"))
    backend = make(server, max_retries=2)
    assert (await backend.complete(request())).text == "ok"
    first, second = server.completion_requests
    assert second.at - first.at >= 0.9


async def test_429_retries_are_bounded(server: FakeOpenAIServer) -> None:
    server.default = Status(429, "quota", headers={"retry-after-ms": "20"})
    with pytest.raises(BackendError) as caught:
        await make(server, max_retries=2).complete(request())
    assert "rate limited by " + server.base_url in str(caught.value)
    assert "after 3 attempts" in str(caught.value)
    assert len(server.completion_requests) == 3


async def test_5xx_retried_with_backoff_then_clear_error(server: FakeOpenAIServer) -> None:
    server.default = Status(503, "overloaded")
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        await make(server, max_retries=3).complete(request())
    assert "server error at " + server.base_url in str(caught.value)
    assert "HTTP 503" in str(caught.value) and "overloaded" in str(caught.value)
    assert len(server.completion_requests) == 4
    assert time.monotonic() - started < 3


async def test_5xx_then_success(server: FakeOpenAIServer) -> None:
    server.enqueue(Status(500), Status(502), Reply("fine"))
    assert (await make(server, max_retries=2).complete(request())).text == "fine"


async def test_stall_times_out_within_the_bound(server: FakeOpenAIServer) -> None:
    server.default = Stall(30)
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        await make(server, timeout=0.5, max_retries=1).complete(request())
    elapsed = time.monotonic() - started
    assert "timed out after 0.5s" in str(caught.value) and server.base_url in str(caught.value)
    assert len(server.completion_requests) == 2
    assert elapsed < 2 * 0.5 + 1.5


@pytest.mark.parametrize("action", [Malformed(), Empty()])
async def test_invalid_body(server: FakeOpenAIServer, action: object) -> None:
    server.default = action  # type: ignore[assignment]
    with pytest.raises(BackendError) as caught:
        await make(server, max_retries=1).complete(request())
    assert "invalid response body from " + server.base_url in str(caught.value)
    assert len(server.completion_requests) == 2


async def test_dropped_connection(server: FakeOpenAIServer) -> None:
    server.enqueue(Drop(), Reply("after drop"))
    assert (await make(server, max_retries=1).complete(request())).text == "after drop"
    server.default = Drop()
    with pytest.raises(BackendError, match="cannot connect to"):
        await make(server, max_retries=0).complete(request())


async def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    backend = OpenAIBackend(
        Settings(backend="openai", base_url=url, model="m", max_retries=1), backoff_base_s=0.01
    )
    with pytest.raises(BackendError) as caught:
        await backend.complete(request())
    assert f"cannot connect to {url}" in str(caught.value)
    assert "base URL" in str(caught.value)


async def test_cancelling_abandons_the_request(server: FakeOpenAIServer) -> None:
    server.default = Stall(30)
    backend = make(server, max_retries=0)
    task = asyncio.create_task(backend.complete(request()))
    while not server.completion_requests:
        await asyncio.sleep(0.01)
    task.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 1


def test_remote_endpoint_needs_a_key_and_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(BackendUnavailable, match="OPENAI_API_KEY"):
        OpenAIBackend(Settings(backend="openai"))
    with pytest.raises(BackendUnavailable, match="--model"):
        OpenAIBackend(Settings(backend="openai", base_url="http://localhost:11434/v1"))
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    backend = OpenAIBackend(Settings(backend="openai"))
    assert backend.model == "gpt-4o-mini"
    assert backend.structured_mode == StructuredMode.JSON_SCHEMA
    assert backend._arguments(request())["max_completion_tokens"] == 1024
