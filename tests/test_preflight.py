"""Checks before spending: real endpoints on 127.0.0.1, real folders, the real CLI.

Every failure is one line that names the fix, with no traceback on the terminal, and no LLM
request is made before the checks pass.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from fake_openai_server import FakeOpenAIServer
from protosmith.pipeline import preflight
from protosmith.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SPEC = '[project]\nname = "demo"\n\n[[scenarios]]\nname = "add"\nacceptance = ["it adds"]\n'


def _openai(base_url: str, **fields: Any) -> Settings:
    return Settings.model_validate({"backend": "openai", "base_url": base_url, **fields})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _silent_server() -> Iterator[str]:
    """Accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


@contextmanager
def _status_server(code: int) -> Iterator[str]:
    """Answers every request with ``code`` (e.g. 401 for a refused key)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _one_problem(settings: Settings) -> preflight.PreflightProblem:
    problems, _ = asyncio.run(preflight.check_backend(settings))
    assert len(problems) == 1, problems
    assert "\n" not in problems[0].line()
    return problems[0]


def test_refused_connection_names_the_server_and_the_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    problem = _one_problem(_openai(url))
    assert problem.check == "endpoint"
    assert problem.line().startswith(f"cannot connect to {url}")
    assert "start the server" in problem.fix and "--base-url" in problem.fix


def test_an_endpoint_that_never_answers_names_the_timeout() -> None:
    with _silent_server() as url:
        problem = _one_problem(_openai(url, timeout_s=0.5))
    assert problem.message == f"{url} did not answer GET /models within 0.5 s"
    assert "PROTOSMITH_TIMEOUT" in problem.fix and "--timeout" in problem.fix


def test_a_missing_key_is_named_before_any_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROTOSMITH_TEST_NO_KEY", raising=False)
    problem = _one_problem(
        _openai("https://api.example.invalid/v1", api_key_env="PROTOSMITH_TEST_NO_KEY")
    )
    assert problem.check == "api_key"
    assert "PROTOSMITH_TEST_NO_KEY is not set" in problem.message
    assert problem.fix.startswith("export PROTOSMITH_TEST_NO_KEY=")


def test_a_refused_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROTOSMITH_TEST_KEY", "wrong")
    with _status_server(401) as url:
        problem = _one_problem(_openai(url, api_key_env="PROTOSMITH_TEST_KEY"))
    assert problem.check == "api_key" and "HTTP 401" in problem.message
    assert "PROTOSMITH_TEST_KEY" in problem.fix


def test_the_model_must_be_served_and_one_served_model_is_used() -> None:
    with FakeOpenAIServer(models=("small", "large")) as server:
        wrong = _one_problem(_openai(server.base_url, model="medium"))
        several = _one_problem(_openai(server.base_url))
        assert not server.completion_requests
    assert "does not serve the model 'medium' (it serves: small, large)" in wrong.message
    assert "--model" in wrong.fix and "--model" in several.fix
    with FakeOpenAIServer(models=("only",)) as server:
        problems, settings = asyncio.run(preflight.check_backend(_openai(server.base_url)))
    assert problems == [] and settings.model == "only"


def test_a_target_file_under_a_file_or_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    under_file = preflight.check_target_file(tmp_path / "plain" / "deeper" / "spec.toml")
    assert under_file is not None and f"{tmp_path / 'plain'} is a file" in under_file.message
    folder = preflight.check_target_file(tmp_path)
    assert folder is not None and "is a folder" in folder.message
    assert preflight.check_target_file(tmp_path / "new" / "protosmith.toml") is None
    assert not (tmp_path / "new").exists()  # checking creates nothing


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env.update(PYTHONPATH=str(ROOT / "server"), XDG_STATE_HOME=str(cwd / "state"))
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "protosmith", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _the_one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("protosmith ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_init_checks_the_target_and_the_endpoint_before_its_call(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with FakeOpenAIServer() as server:
        under_file = _cli(
            tmp_path, "init", "a todo list", "-o", "plain/protosmith.toml",
            "--backend", "openai", "--base-url", server.base_url,
        )  # fmt: skip
        assert not server.completion_requests
    assert under_file.returncode == 2
    assert "plain is a file: move that file away" in _the_one_line(under_file)
    with _silent_server() as url:
        slow = _cli(
            tmp_path, "init", "a todo list", "--backend", "openai", "--base-url", url,
            "--timeout", "0.5",
        )  # fmt: skip
    assert slow.returncode == 1
    assert "did not answer GET /models within 0.5 s" in _the_one_line(slow)
    remote = _cli(
        tmp_path, "init", "a todo list", "--backend", "openai",
        "--base-url", "https://api.example.invalid/v1",
    )  # fmt: skip
    assert remote.returncode == 1
    assert "export OPENAI_API_KEY=" in _the_one_line(remote)
    assert not (tmp_path / "protosmith.toml").exists()


def test_an_endpoint_error_mid_command_is_one_line_and_a_logged_traceback(
    tmp_path: Path,
) -> None:
    """``review`` reaches the endpoint only in its LLM pass: the CLI boundary words it."""
    (tmp_path / "app.py").write_text("def add(a, b):\n    return a + b\n")
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    result = _cli(
        tmp_path, "review", "app.py", "--backend", "openai", "--base-url", url, "--model", "m"
    )
    assert result.returncode == 1
    line = _the_one_line(result)
    assert line.startswith(f"protosmith review: cannot connect to {url}")
    log = tmp_path / "state" / "protosmith" / "last-error.log"
    assert f"(details: {log})" in line
    assert "Traceback" in log.read_text()


def test_generate_with_a_silent_endpoint_stops_before_spending(tmp_path: Path) -> None:
    (tmp_path / "protosmith.toml").write_text(SPEC)
    with _silent_server() as url:
        result = _cli(
            tmp_path, "generate", "--backend", "openai", "--base-url", url, "--timeout", "0.5"
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout
    assert f"cannot start: {url} did not answer GET /models within 0.5 s" in result.stdout
    assert "llm calls: 0" in result.stdout


def test_a_base_url_without_v1_is_pointed_at_the_one_that_answers() -> None:
    with FakeOpenAIServer() as server:
        root = server.base_url.removesuffix("/v1")
        problem = _one_problem(_openai(root, model="fake-model"))
        assert not server.completion_requests
    assert problem.message == f"{root} has no OpenAI API (GET /models answered HTTP 404)"
    assert f"pass --base-url {root}/v1" in problem.fix


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a read-only /proc")
def test_a_folder_that_cannot_be_written_is_found_by_writing() -> None:
    """Even root cannot write in /proc: a permission check alone would say yes there."""
    target = preflight.check_target_file(Path("/proc/protosmith-preflight.toml"))
    assert target is not None and target.message.startswith("cannot write to /proc (")
    folder = preflight.check_folder(
        Path("/proc/protosmith-preflight"), Path("/proc"), what="output", setting="change it"
    )
    assert folder is not None and "cannot write to the output folder" in folder.message
