"""Limits from the endpoint: discovery, the budget arithmetic, and what requests really carry.

Endpoints are real HTTP servers on 127.0.0.1 (``FakeOpenAIServer``) answering the way vLLM,
llama.cpp's server and Ollama do; nothing of the client is mocked.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fake_openai_server import FakeOpenAIServer, RecordedRequest, Reply, Stall
from hardening_support import make_workspace, run_generate, small_spec_text, team_reply_for_wire
from protosmith.llm.base import CompletionRequest, Message
from protosmith.llm.errors import BackendError
from protosmith.llm.limits import (
    DEFAULT_CONTEXT_WINDOW,
    DEFAULT_MAX_TOKENS,
    LimitSource,
    discover_endpoint_limits,
    effective_limits,
    plan_limits,
)
from protosmith.llm.openai_backend import OpenAIBackend
from protosmith.settings import Settings, resolve_settings
from scripted_team import Team


def settings_for(server: FakeOpenAIServer, model: str = "fake-model", **extra: object) -> Settings:
    settings, problems = resolve_settings(
        cli={"backend": "openai", "base_url": server.base_url, "model": model, **extra}, env={}
    )
    assert not problems
    return settings


def ask(max_tokens: int = 32) -> CompletionRequest:
    return CompletionRequest(messages=[Message(role="user", content="hi")], max_tokens=max_tokens)


# -- the arithmetic ------------------------------------------------------------------------------


def test_defaults_suit_a_strong_model() -> None:
    limits = plan_limits(
        context_window=DEFAULT_CONTEXT_WINDOW, context_source=LimitSource.DEFAULT, max_tokens=None
    )
    assert limits.context_window >= 32_768 and limits.max_tokens == DEFAULT_MAX_TOKENS >= 8192
    assert limits.prompt_budget == limits.context_window - limits.max_tokens
    assert not limits.warnings


def test_completion_limit_larger_than_the_window_is_clamped_never_floored_to_256() -> None:
    limits = plan_limits(
        context_window=8192, context_source=LimitSource.ENDPOINT, max_tokens=16_000
    )
    assert limits.max_tokens + limits.prompt_budget == 8192
    assert limits.prompt_budget >= 2048 and limits.max_tokens == 8192 - 2048
    assert limits.max_tokens_source is LimitSource.SETTING
    [warning] = limits.warnings
    assert (
        "16000" in warning and "--context-tokens" in warning and "PROTOSMITH_MAX_TOKENS" in warning
    )


def test_default_completion_leaves_half_of_a_small_window_to_the_prompt() -> None:
    limits = plan_limits(context_window=8192, context_source=LimitSource.BACKEND, max_tokens=None)
    assert limits.max_tokens == 4096 and limits.prompt_budget == 4096 and not limits.warnings


def test_model_output_cap_and_prompt_budget_setting() -> None:
    capped = plan_limits(
        context_window=128_000,
        context_source=LimitSource.TABLE,
        max_tokens=50_000,
        model_max_output=16_384,
    )
    assert capped.max_tokens == 16_384 and "output limit" in capped.warnings[0]
    # An explicit prompt budget on a guessed window grows the window rather than shrinking it.
    grown = plan_limits(
        context_window=8192,
        context_source=LimitSource.DEFAULT,
        max_tokens=4000,
        max_prompt_tokens=12_000,
    )
    assert grown.prompt_budget == 12_000 and grown.context_window == 16_000
    # On a window the endpoint reported, it is clamped with a warning.
    clamped = plan_limits(
        context_window=8192,
        context_source=LimitSource.ENDPOINT,
        max_tokens=4000,
        max_prompt_tokens=12_000,
    )
    assert clamped.prompt_budget == 4192 and clamped.warnings


# -- discovery against servers that answer like vLLM, llama.cpp and Ollama -------------------------


def test_vllm_max_model_len() -> None:
    fields = {"coder": {"max_model_len": 65_536}}
    with FakeOpenAIServer(models=("coder",), model_fields=fields) as server:
        found = discover_endpoint_limits(server.base_url, "coder")
        assert [r.path for r in server.requests] == ["/v1/models"]  # nothing more to ask
    assert found.context_window == 65_536 and found.detail == "GET /v1/models max_model_len"
    assert found.serves_model is True and found.served_models == ["coder"]


def test_openrouter_style_context_and_output() -> None:
    fields = {"m": {"context_length": 200_000, "top_provider": {"max_completion_tokens": 8000}}}
    with FakeOpenAIServer(models=("m",), model_fields=fields) as server:
        found = discover_endpoint_limits(server.base_url, "m")
    assert found.context_window == 200_000 and found.max_output == 8000


def test_llama_server_props() -> None:
    props = {
        "default_generation_settings": {"n_ctx": 4096, "params": {"n_predict": -1}},
        "total_slots": 2,
    }
    with FakeOpenAIServer(models=("gemma",), props=props) as server:
        found = discover_endpoint_limits(server.base_url, "gemma")
    assert found.context_window == 4096 and found.detail == "GET /props n_ctx"
    assert found.parallel_slots == 2 and found.max_output is None


def test_ollama_loaded_model_then_num_ctx_then_its_default() -> None:
    ps = {
        "models": [
            {"name": "qwen2.5-coder:7b", "model": "qwen2.5-coder:7b", "context_length": 16384}
        ]
    }
    with FakeOpenAIServer(models=("qwen2.5-coder:7b",), ollama_ps=ps) as server:
        assert discover_endpoint_limits(server.base_url, "qwen2.5-coder:7b").context_window == 16384
    show = {
        "parameters": "num_ctx 12288\nstop <|im_end|>",
        "model_info": {"qwen2.context_length": 32768},
    }
    with FakeOpenAIServer(models=("q",), ollama_ps={"models": []}, ollama_show=show) as server:
        found = discover_endpoint_limits(server.base_url, "q")
        assert found.context_window == 12288 and "num_ctx" in found.detail
        assert server.requests[-1].body == {"model": "q"}
    show = {"parameters": "stop x", "model_info": {"qwen2.context_length": 32768}}
    with FakeOpenAIServer(models=("q",), ollama_ps={"models": []}, ollama_show=show) as server:
        found = discover_endpoint_limits(server.base_url, "q")
    assert found.context_window == 4096  # what Ollama really serves unless told otherwise
    assert "OLLAMA_CONTEXT_LENGTH" in found.notes[0] and "32768" in found.notes[0]


def test_an_endpoint_that_says_nothing_falls_back_to_the_table_then_the_default() -> None:
    with FakeOpenAIServer(models=("gpt-4o", "house")) as server:
        table = OpenAIBackend(settings_for(server, "gpt-4o"))
        house = OpenAIBackend(settings_for(server, "house"))

        async def both() -> None:
            first = await effective_limits(table, table._settings)
            assert first.context_window == 128_000 and first.context_source is LimitSource.TABLE
            assert first.max_tokens == 16_384
            second = await effective_limits(house, house._settings)
            assert second.context_window == DEFAULT_CONTEXT_WINDOW
            assert second.context_source is LimitSource.DEFAULT

        import asyncio

        asyncio.run(both())


def test_unreachable_endpoint_is_reported_not_raised() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    found = discover_endpoint_limits(f"http://127.0.0.1:{port}/v1", "m", timeout=1)
    assert not found.reachable and found.context_window is None and found.served_models is None


# -- the backend uses what it found ----------------------------------------------------------------


async def test_backend_adopts_the_endpoint_window_and_slots() -> None:
    props = {"default_generation_settings": {"n_ctx": 6144}, "total_slots": 2}
    with FakeOpenAIServer(models=("gemma",), props=props) as server:
        backend = OpenAIBackend(settings_for(server, "gemma"))
        limits = await effective_limits(backend, settings_for(server, "gemma"))
        caps = backend.capabilities
        assert caps.context_window == 6144 == limits.context_window
        assert caps.parallel_slots == 2  # concurrency 4 would only queue at the server
        assert limits.max_tokens == 3072 and limits.context_source is LimitSource.ENDPOINT
        await backend.aclose()


async def test_user_context_setting_wins_over_the_endpoint() -> None:
    fields = {"coder": {"max_model_len": 65_536}}
    with FakeOpenAIServer(models=("coder",), model_fields=fields) as server:
        settings = settings_for(server, "coder", context_tokens=20_000, max_tokens=8000)
        backend = OpenAIBackend(settings)
        limits = await effective_limits(backend, settings)
        assert limits.context_window == 20_000 and limits.context_source is LimitSource.SETTING
        assert limits.max_tokens == 8000 and limits.prompt_budget == 12_000
        assert settings.source("context_tokens") == "command line"
        await backend.aclose()


async def test_cost_only_for_a_model_the_endpoint_serves() -> None:
    with FakeOpenAIServer(models=("gpt-4o-mini",)) as server:
        server.enqueue(Reply("a", prompt_tokens=1000, completion_tokens=100))
        served = OpenAIBackend(settings_for(server, "gpt-4o-mini"))
        await effective_limits(served, settings_for(server, "gpt-4o-mini"))
        paid = await served.complete(ask())
        assert paid.usage.priced
        assert paid.usage.cost_usd == pytest.approx((1000 * 0.15 + 100 * 0.60) / 1e6)

        server.enqueue(Reply("b", prompt_tokens=1000, completion_tokens=100))
        fake = OpenAIBackend(settings_for(server, "gpt-4.1-nonexistent"))
        await effective_limits(fake, settings_for(server, "gpt-4.1-nonexistent"))
        unknown = await fake.complete(ask())  # the server answers any name
        assert not unknown.usage.priced and unknown.usage.known_cost_usd is None
        assert (paid.usage + unknown.usage).known_cost_usd is None
        await served.aclose()
        await fake.aclose()


# -- errors that name the knob ---------------------------------------------------------------------


async def test_base_url_without_v1_points_at_the_url_that_works() -> None:
    with FakeOpenAIServer(models=("m",)) as server:
        root = f"http://127.0.0.1:{server.port}"
        backend = OpenAIBackend(Settings(backend="openai", base_url=root, model="m", max_retries=0))
        with pytest.raises(BackendError) as caught:
            await backend.complete(ask())
        await backend.aclose()
    message = str(caught.value)
    assert f"--base-url {root}/v1" in message and "404" in message


async def test_timeout_hint_names_the_flag_and_variable() -> None:
    with FakeOpenAIServer(default=Stall(5)) as server:
        backend = OpenAIBackend(
            Settings(
                backend="openai", base_url=server.base_url, model="m", timeout_s=0.5, max_retries=0
            )
        )
        with pytest.raises(BackendError) as caught:
            await backend.complete(ask())
        await backend.aclose()
    assert "--timeout" in str(caught.value) and "PROTOSMITH_TIMEOUT" in str(caught.value)


async def test_context_rejection_names_the_context_knob() -> None:
    from fake_openai_server import Status

    message = "Requested tokens (9000) exceed context window of 2048"
    with FakeOpenAIServer(default=Status(400, message)) as server:
        backend = OpenAIBackend(settings_for(server, max_retries=0))
        with pytest.raises(BackendError) as caught:
            await backend.complete(ask())
        await backend.aclose()
    assert "--context-tokens" in str(caught.value) and "PROTOSMITH_CONTEXT_TOKENS" in str(
        caught.value
    )


# -- a whole run: what requests carry, and what the summary says ----------------------------------


async def test_run_with_a_large_max_tokens_on_a_small_window(tmp_path: Path) -> None:
    """PROTOSMITH_MAX_TOKENS=16000 on an 8k model: clamped with a warning, the run proceeds."""
    team = Team()

    def answer(request: RecordedRequest) -> Reply:
        return Reply(text=team_reply_for_wire(team, request.body))

    spec = make_workspace(tmp_path, text=small_spec_text())
    fields = {"gpt-4.1-nonexistent": {"max_model_len": 8192}}
    with FakeOpenAIServer(
        function=answer, models=("gpt-4.1-nonexistent",), model_fields=fields
    ) as server:
        settings = {
            "backend": "openai",
            "base_url": server.base_url,
            "model": "gpt-4.1-nonexistent",
            "max_tokens": 16_000,
        }
        summary = await run_generate(spec, None, settings=settings)
        bodies = [r.body for r in server.completion_requests]
    assert summary.status == "succeeded", summary.message
    assert "budget is" not in summary.message
    assert bodies and {body["max_tokens"] for body in bodies} == {8192 - 2048}
    assert summary.limits is not None and summary.limits.max_tokens == 6144
    assert summary.limits.context_source is LimitSource.ENDPOINT and summary.limits.warnings
    # Listed under that name by a local server, and not OpenAI: no price applies.
    assert summary.cost_usd is None


def test_cli_flags_reach_the_settings_and_every_option_has_help() -> None:
    from protosmith.cli import build_parser
    from protosmith.settings import SettingsOverrides

    parser = build_parser()
    args = parser.parse_args(
        ["generate", "--max-tokens", "9000", "--timeout", "45", "--context-tokens", "65536"]
    )
    overrides = SettingsOverrides.from_args(args)
    assert overrides.command_line == {
        "max_tokens": 9000,
        "timeout_s": 45.0,
        "context_tokens": 65536,
    }
    settings, problems = resolve_settings(overrides.model_copy(update={"env": {}}))
    assert not problems and settings.max_tokens == 9000 and settings.timeout_s == 45.0
    for name in ("init", "generate", "review", "refine", "doctor"):
        sub = parser._subparsers._group_actions[0].choices[name]  # type: ignore[union-attr]
        for action in sub._actions:
            if action.dest != "help" and action.help != "==SUPPRESS==":
                assert action.help, f"{name} {action.option_strings or action.dest} has no help"
        flags = {flag for action in sub._actions for flag in action.option_strings}
        assert {"--max-tokens", "--timeout", "--context-tokens", "--backend"} <= flags
    done = subprocess.run(
        [sys.executable, "-m", "protosmith", "generate", "--max-tokens", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--max-tokens" in done.stderr
    assert "must be at least 1" in done.stderr
