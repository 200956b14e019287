"""Token counters (tiktoken offline, llama tokenizer) and pricing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from protosmith.llm.base import Usage
from protosmith.llm.pricing import cost, price_for, price_table, user_prices
from protosmith.llm.tokens import ByteCounter, TiktokenCounter, counter_for_model, encoding_name

OFFLINE_SCRIPT = """
import json, sys, time
from protosmith.llm.tokens import TiktokenCounter
started = time.monotonic()
results = {}
for model in ("gpt-4o", "gpt-4", "gpt-5-mini", "my-local-llama"):
    counter = TiktokenCounter(model)
    results[model] = [counter.count("Hello, world! def f(x): return x * 2"), counter.exact, counter.name]
results["seconds"] = time.monotonic() - started
print(json.dumps(results))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_tiktoken_works_with_the_network_unreachable(tmp_path: Path) -> None:
    """An empty cache dir and a dead proxy: our seeding is the only way tiktoken can load."""
    cache = tmp_path / "tiktoken-cache"
    dead = f"http://127.0.0.1:{_closed_port()}"
    env = {
        **os.environ,
        "TIKTOKEN_CACHE_DIR": str(cache),
        "HTTPS_PROXY": dead,
        "HTTP_PROXY": dead,
        "https_proxy": dead,
        "http_proxy": dead,
        "NO_PROXY": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["gpt-4o"][1:] == [True, "tiktoken:o200k_base"]
    assert results["gpt-4"][1:] == [True, "tiktoken:cl100k_base"]
    assert results["gpt-5-mini"][1] is True
    assert results["my-local-llama"][1:] == [False, "tiktoken:o200k_base"]
    assert all(results[m][0] > 5 for m in ("gpt-4o", "gpt-4"))
    assert results["seconds"] < 20
    assert len(list(cache.iterdir())) == 2  # exactly the two seeded BPE files


def test_tiktoken_counts_are_the_real_encoding() -> None:
    import tiktoken

    counter = TiktokenCounter("gpt-4o")
    text = "protosmith counts tokens exactly: ünïcödé, 日本語, <|endoftext|>"
    assert counter.count(text) == len(
        tiktoken.get_encoding("o200k_base").encode(text, disallowed_special=())
    )
    assert counter.count("") == 0


def test_encoding_names() -> None:
    assert encoding_name("gpt-4o-mini") == ("o200k_base", True)
    assert encoding_name("openai/gpt-4.1") == ("o200k_base", True)
    assert encoding_name("gpt-3.5-turbo") == ("cl100k_base", True)
    assert encoding_name("text-davinci-003") == ("o200k_base", False)  # p50k is not seeded
    assert encoding_name("qwen2.5-coder") == ("o200k_base", False)


def test_counter_for_model_and_bytes_fallback() -> None:
    assert counter_for_model("gpt-4o").exact
    counter = ByteCounter()
    assert not counter.exact
    assert counter.count("abcd" * 10) == 10
    assert counter.count("") == 0


@pytest.mark.slow
def test_llama_counter_matches_the_models_tokenizer() -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from protosmith.llm.embedded import assembled_path, embedded_model_path

    if assembled_path() is None:
        pytest.skip("the embedded model package is not installed")
    from llama_cpp import Llama

    from protosmith.llm.tokens import LlamaTokenCounter

    path = embedded_model_path()
    counter = LlamaTokenCounter(path)
    reference = Llama(str(path), vocab_only=True, verbose=False)
    for text in ("hello world", "def f(x):\n    return x  # é 日本 <start_of_turn>", " " * 7):
        expected = reference.tokenize(text.encode(), add_bos=False, special=False)
        assert counter.tokenize(text) == expected
    assert counter.exact
    assert counter.metadata("general.architecture") == {"general.architecture": "gemma3"}
    counter.close()


def test_prices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000)
    price_table.cache_clear()
    user_prices.cache_clear()
    assert cost("gpt-4o", usage, served=True) == pytest.approx(12.5)
    assert cost("gpt-4o-2024-08-06", usage, served=True) == pytest.approx(12.5)
    assert cost("gpt-4o-mini-2024-07-18", usage, official=True) == pytest.approx(0.75)
    assert cost("gpt-4o", usage, backend="local") == 0.0
    # A name is not a bill: unlisted or unknown models have an unknown cost, not a guess.
    assert cost("gpt-4.1-nonexistent", usage, served=False) is None
    assert cost("gpt-4.1", usage, served=False, official=True) is None
    assert cost("gpt-4.1-nonexistent", usage, served=True) is None  # listed, but no such model
    assert cost("gpt-4o", usage) is None  # a server that does not list its models
    assert cost("gemma-3-270m-q4_k_m.gguf", usage, served=True) is None
    assert price_for("unknown-model") is None

    prices = tmp_path / "prices.toml"
    prices.write_text('[prices."house-model"]\ninput = 1.0\noutput = 3.0\n', encoding="utf-8")
    monkeypatch.setenv("PROTOSMITH_PRICES_FILE", str(prices))
    monkeypatch.setenv("PROTOSMITH_PRICES", json.dumps({"gpt-4o": {"input": 0, "output": 1}}))
    price_table.cache_clear()
    user_prices.cache_clear()
    try:
        assert cost("house-model", usage) == pytest.approx(4.0)  # explicit: any endpoint
        assert cost("gpt-4o", usage, served=False) == pytest.approx(1.0)
    finally:
        price_table.cache_clear()
        user_prices.cache_clear()
