"""Secrets: the API key never lands in an artefact, secret files never reach a remote model.

A canary key sits in the environment variable named by ``api_key_env``; a generation
against the fake OpenAI server and a review with the LLM (CLI, SARIF and JSON) run; then
every artefact is searched: journal, cache, manifest, generated files, logs, the prompts the
server received, SARIF and JSON output. The canary may appear only in the Authorization
header. Workspace secrets (``.env``, keys, ``password = "..."``) never reach the server.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_openai_server import FakeOpenAIServer, RecordedRequest, Reply
from hardening_support import (
    make_workspace,
    run_generate,
    small_spec_text,
    team_reply_for_wire,
)
from protosmith.context.secrets import (
    REDACTED,
    filter_for_remote,
    is_secret_path,
    redact_for_remote,
)
from scripted_team import Team

CANARY = "sk-canary-7f3a9c2e5b1d4f60a8e2c9b7d3f1a0e4"
FILE_CANARY = "sk-filecanary-0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"
ENV_FILE_CANARY = "envfile-canary-6c2f0a9e1d7b"
KEY_CANARY = "MIIEkeycanaryQIBAAKCAQEA3b7c9d1e5f7a9b1c3d5e7f9"
TESTS = Path(__file__).resolve().parent


# -- the redaction module --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('OPENAI_API_KEY = "sk-proj-abcdefghijklmnopqrstuvwx"', "sk-proj-abcdefghijklmnopqrstuvwx"),
        ("key = 'AKIAIOSFODNN7EXAMPLE'", "AKIAIOSFODNN7EXAMPLE"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYAB",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYAB",
        ),
        ('password = "hunter2"', "hunter2"),
        ('db_password: "correct horse"', "correct horse"),
        ('{"client_secret": "s3cr3t-value"}', "s3cr3t-value"),
        ("DATABASE_PASSWORD=pa55word!", "pa55word!"),
        ("export API_TOKEN=abcd1234efgh", "abcd1234efgh"),
        ("token = 'ghp_" + "a" * 36 + "'", "ghp_" + "a" * 36),
        ("url = 'postgres://admin:topsecret@db:5432/app'", "topsecret"),
        ("headers = {'Authorization': 'Bearer abcdefghijklmnop'}", "abcdefghijklmnop"),
        ("slack = 'xoxb-1234567890-abcdefghij'", "xoxb-1234567890-abcdefghij"),
    ],
)
def test_secret_strings_are_redacted(text: str, secret: str) -> None:
    redacted = redact_for_remote(text, enabled=True)
    assert secret not in redacted and REDACTED in redacted


def test_private_key_blocks_are_redacted_and_lines_kept() -> None:
    text = (
        "before = 1\n-----BEGIN RSA PRIVATE KEY-----\n"
        f"{KEY_CANARY}\nAAAABBBBCCCC\n-----END RSA PRIVATE KEY-----\nafter = 2\n"
    )
    redacted = redact_for_remote(text, enabled=True)
    assert KEY_CANARY not in redacted and "AAAABBBBCCCC" not in redacted
    assert redacted.count("\n") == text.count("\n")
    assert redacted.splitlines()[0] == "before = 1" and redacted.splitlines()[-1] == "after = 2"


def test_ordinary_code_is_left_alone() -> None:
    code = (
        'def login(user: str, password: str) -> bool:\n    """Check a password."""\n'
        "    token = make_token(user)\n    return check(password, os.environ['PASSWORD'])\n"
        'author = "Ada"\nmax_tokens = 128\n'
    )
    assert redact_for_remote(code, enabled=True) == code


def test_redaction_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'password = "hunter2"'
    monkeypatch.setenv("PROTOSMITH_REDACT", "0")
    assert redact_for_remote(text) == text
    monkeypatch.setenv("PROTOSMITH_REDACT", "1")
    assert "hunter2" not in redact_for_remote(text)
    assert redact_for_remote("x = 'abcdefgh'", known=["abcdefgh"]) == f"x = '{REDACTED}'"


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "app/.env",
        ".env.production",
        "certs/server.pem",
        "id_rsa",
        "home/.ssh/id_ed25519",
        "deploy/prod.tfvars",
        ".aws/credentials",
        "x/.ssh/config",
        "gcp/service-account-prod.json",
        "config/secrets.yaml",
        ".netrc",
        "keys/signing.key",
    ],
)
def test_secret_paths_are_denied(path: str) -> None:
    assert is_secret_path(path)


@pytest.mark.parametrize(
    "path", ["app.py", "envoy.py", "docs/keys.md", "secrets_test.py", "pem.py"]
)
def test_ordinary_paths_are_allowed(path: str) -> None:
    assert not is_secret_path(path)


def test_deny_list_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert not is_secret_path("conf/private_settings.py")
    monkeypatch.setenv("PROTOSMITH_SECRET_GLOBS", "private_*.py,vault/*")
    assert is_secret_path("conf/private_settings.py") and is_secret_path("a/vault/x.txt")
    assert is_secret_path(tmp_path / "conf" / "private_x.py", root=tmp_path)
    kept, dropped = filter_for_remote({"a.py": 'password = "p4ss"', ".env": "A=b"})
    assert dropped == [".env"] and "p4ss" not in kept["a.py"]


# -- the canary through real runs ------------------------------------------------------------


def _team_endpoint(team: Team):  # type: ignore[no-untyped-def]
    def answer(request: RecordedRequest) -> Reply:
        return Reply(text=team_reply_for_wire(team, request.body))

    return answer


def _everything_under(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def _only_in_authorization(server: FakeOpenAIServer) -> None:
    assert server.requests
    for request in server.requests:
        headers = dict(request.headers)
        assert headers.pop("authorization", "") in ("", f"Bearer {CANARY}")
        assert CANARY not in repr(headers)
        assert CANARY not in repr(request.body) and CANARY not in request.path


async def test_api_key_canary_appears_in_no_artefact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    caplog.set_level(logging.DEBUG)
    spec = make_workspace(tmp_path, text=small_spec_text())
    with FakeOpenAIServer(function=_team_endpoint(Team())) as server:
        settings = {"backend": "openai", "base_url": server.base_url, "model": "fake-model"}
        summary = await run_generate(spec, None, settings=settings)
        assert summary.status == "succeeded", summary.message
        # A failing endpoint too: error messages and journaled errors must not carry the key.
        server.enqueue(*[Reply(text="not json")] * 3)
        spec.write_text(spec.read_text().replace("Operators check health.", "Ops check."))
        await run_generate(spec, None, settings={**settings, "max_retries": 0})
    assert any(r.headers.get("authorization") == f"Bearer {CANARY}" for r in server.requests)
    _only_in_authorization(server)
    artefacts = _everything_under(tmp_path)
    assert any(".protosmith/cache" in p.as_posix() for p in artefacts)
    leaks = [p for p, data in artefacts.items() if CANARY.encode() in data]
    assert not leaks, leaks
    assert CANARY not in caplog.text
    assert CANARY not in summary.model_dump_json()


def _review_workspace(root: Path) -> Path:
    workspace = root / "ws"
    (workspace / "app").mkdir(parents=True)
    (workspace / "app" / "service.py").write_text(
        'import subprocess\n\nAPI_KEY = "' + FILE_CANARY + '"\n\n\n'
        "def run(cmd: str) -> None:\n    subprocess.call(cmd, shell=True)\n",
        encoding="utf-8",
    )
    (workspace / ".env").write_text(f"OPENAI_API_KEY={ENV_FILE_CANARY}\n", encoding="utf-8")
    (workspace / "app" / "id_rsa.py").write_text(f"KEY = '{KEY_CANARY}'\n", encoding="utf-8")
    (workspace / "certs").mkdir()
    (workspace / "certs" / "server.pem").write_text(
        f"-----BEGIN PRIVATE KEY-----\n{KEY_CANARY}\n-----END PRIVATE KEY-----\n", encoding="utf-8"
    )
    return workspace


def test_review_sends_no_secret_and_prints_no_key(tmp_path: Path) -> None:
    workspace = _review_workspace(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    env["OPENAI_API_KEY"] = CANARY
    reply = Reply(text='{"claims": [], "triage": [], "traces": []}')
    outputs = {}
    with FakeOpenAIServer(default=reply) as server:
        for form in ("sarif", "json"):
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "protosmith",
                    "review",
                    ".",
                    "--format",
                    form,
                    "--backend",
                    "openai",
                    "--base-url",
                    server.base_url,
                    "--model",
                    "fake-model",
                    "--fail-on",
                    "none",
                ],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            outputs[form] = done.stdout + done.stderr
    prompts = [r for r in server.completion_requests]
    assert prompts, "the LLM review never reached the server"
    _only_in_authorization(server)
    sent = "\n".join(repr(r.body) for r in prompts)
    assert "service.py" in sent  # the ordinary file was reviewed...
    for secret in (FILE_CANARY, ENV_FILE_CANARY, KEY_CANARY):  # ...with its secrets masked
        assert secret not in sent, secret
    assert "id_rsa.py" not in sent and ".env" not in sent.replace(".environ", "")
    for form, text in outputs.items():
        assert CANARY not in text, form
    leaks = [p for p, data in _everything_under(tmp_path).items() if CANARY.encode() in data]
    assert not leaks, leaks
