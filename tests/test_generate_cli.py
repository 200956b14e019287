"""``protosmith generate`` as a user runs it: a real subprocess, exit codes, JSON, Ctrl-C."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
HELLO = ROOT / "examples" / "hello" / "protosmith.toml"
CONTRACT_KEYS = {
    "run_id",
    "status",
    "files",
    "llm_calls",
    "cache_hits",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "tests",
    "duration_s",
}


def _env(script: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    if script is not None:
        env.update(
            PROTOSMITH_ALLOW_SCRIPTED="1",
            PROTOSMITH_BACKEND="scripted",
            PROTOSMITH_SCRIPT=str(script),
        )
    env.update(extra)
    return env


def _generate(
    spec: Path, *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "protosmith", "generate", str(spec), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=spec.parent,
        timeout=timeout,
        check=False,
    )


def _hello(tmp_path: Path) -> Path:
    spec = tmp_path / "protosmith.toml"
    shutil.copy(HELLO, spec)
    return spec


def test_json_prints_one_summary_object(tmp_path: Path) -> None:
    spec = _hello(tmp_path)
    result = _generate(spec, "--json", env=_env(TESTS / "scripted_team.py"))
    assert result.returncode in (0, 3), result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) >= CONTRACT_KEYS
    assert set(summary["tests"]) >= {"ran", "passed", "failed", "not_run"}
    assert summary["status"] in ("succeeded", "partial")
    assert summary["llm_calls"] > 0
    for name in ("README.md", "API.md", "DEPLOYMENT.md", "docs/architecture.md"):
        assert f"prototype/{name}" in summary["files"]
        assert (tmp_path / "prototype" / name).is_file()
    # Progress is plain lines on stderr when it is not a terminal.
    assert any(
        line.startswith("[") and "architecture" in line for line in result.stderr.splitlines()
    )
    again = _generate(spec, "--json", env=_env(TESTS / "scripted_team.py"))
    second = json.loads(again.stdout)
    # Code and tests start from their accepted state (no request); the rest is served cached.
    assert second["llm_calls"] == 0 and 0 < second["cache_hits"] < summary["llm_calls"]


def test_text_output_and_exit_code(tmp_path: Path) -> None:
    spec = _hello(tmp_path)
    result = _generate(spec, env=_env(TESTS / "scripted_team.py"))
    summary_line = result.stdout.splitlines()[0]
    assert summary_line.startswith("run ") and result.returncode in (0, 3)
    assert "llm calls:" in result.stdout


def test_bad_spec_exits_2_with_check_lines(tmp_path: Path) -> None:
    spec = tmp_path / "protosmith.toml"
    spec.write_text('[project]\nname = "x"\nlanguages = ["cobol"]\n', encoding="utf-8")
    result = _generate(spec, "--json", env=_env(TESTS / "scripted_team.py"))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if ": PS1" in line]
    assert lines and lines[0].startswith(str(spec))
    assert json.loads(result.stdout)["status"] == "failed"


def test_ctrl_c_exits_130_and_resume_finishes(tmp_path: Path) -> None:
    spec = _hello(tmp_path)
    slow = tmp_path / "slow_team.py"
    slow.write_text(
        f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
        "from scripted_team import reply  # noqa: F401\nOPTIONS = {'delay_s': 0.4}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "protosmith", "generate", str(spec), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(slow),
        cwd=tmp_path,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    for line in process.stderr:
        if "started" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["status"] == "cancelled"
    assert f"--resume {summary['run_id']}" in stderr
    assert not list(tmp_path.rglob("*.tmp"))
    resumed = _generate(spec, "--resume", summary["run_id"], "--json", env=_env(slow))
    final = json.loads(resumed.stdout)
    assert final["run_id"] == summary["run_id"]
    assert final["status"] in ("succeeded", "partial"), resumed.stderr
    assert (tmp_path / "prototype" / "README.md").is_file()


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None, reason="llama_cpp is not installed yet"
)
def test_embedded_model_generates_hello_end_to_end(tmp_path: Path) -> None:
    spec = _hello(tmp_path)
    # Keep the 270M model's run short: small replies and no repair rounds.
    spec.write_text(spec.read_text().replace("max_repair_rounds = 1", "max_repair_rounds = 0"))
    env = _env(PROTOSMITH_MAX_TOKENS="256", PROTOSMITH_N_CTX="4096")
    started = time.monotonic()
    result = _generate(spec, "--json", env=env, timeout=1100)
    assert result.returncode in (0, 1, 3, 4), result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert set(summary) >= CONTRACT_KEYS
    assert summary["status"] in ("succeeded", "partial", "failed")
    assert summary["llm_calls"] >= 1
    assert summary["tests"]["passed"] <= summary["tests"]["ran"]
    for name in ("README.md", "API.md", "DEPLOYMENT.md", "docs/architecture.md"):
        assert (tmp_path / "prototype" / name).is_file(), summary["message"]
    assert "```mermaid" in (tmp_path / "prototype" / "docs" / "architecture.md").read_text()
    print(
        f"embedded run: {time.monotonic() - started:.0f}s, {summary['llm_calls']} calls, "
        f"status {summary['status']}: {summary['message']}"
    )
