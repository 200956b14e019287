"""Editor settings over a real server: read per folder, re-read at run time, invalid values
give one message and defaults, pushed settings for clients without workspace/configuration,
and logging that never leaks a key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import (
    EDITORS,
    TESTS,
    change_file,
    copy_workspace,
    diagnostics_for,
    execute,
    lsp_session,
    open_file,
    pipeline_service_available,
    review_service_available,
    wait_for,
)

SECRET = "sk-testsecret0123456789abcdef"


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    return request.param


def _reads(client: Any) -> int:
    return sum("settings read for" in m.message for m in client.log_messages)


async def _changed(client: Any, settings: Any = None) -> None:
    """didChangeConfiguration, then wait until the server has read the settings again."""
    before = _reads(client)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    await wait_for(client, types.WINDOW_LOG_MESSAGE, lambda: _reads(client) > before)


@pytest.mark.skipif(
    not review_service_available(), reason="protosmith.analysis.review is not written yet"
)
async def test_review_on_save_setting_changes_without_restart(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    async with lsp_session([root], editor) as client:
        uri = open_file(client, app)
        assert await diagnostics_for(client, uri, lambda d: len(d) > 0)
        client.set_configuration({"protosmith": {"review": {"onSave": False}}})
        await _changed(client)
        # With the automatic review off, an edit clears the (now stale) static findings.
        change_file(client, uri, 2, app.read_text() + "\n")
        assert await diagnostics_for(client, uri, lambda d: d == []) == []


async def test_invalid_settings_give_one_message_and_defaults(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("spec", tmp_path)
    bad = {"concurrency": "lots", "backend": "bogus", "review": {"onSave": True}}
    async with lsp_session([root], editor, settings=bad) as client:
        warnings = [m for m in client.messages if m.type == types.MessageType.Warning]
        assert len(warnings) == 1
        assert "concurrency" in warnings[0].message and "backend" in warnings[0].message
        assert "using defaults" in warnings[0].message
        await _changed(client)
        assert len([m for m in client.messages if m.type == types.MessageType.Warning]) == 1
        uri = open_file(client, root / "protosmith.toml", "toml", text="[project]\nname = 1\n")
        assert await diagnostics_for(client, uri, lambda d: len(d) > 0)  # the server still works


async def test_pushed_settings_when_client_cannot_answer_configuration(tmp_path: Path) -> None:
    root = copy_workspace("spec", tmp_path)
    capabilities = client_capabilities("neovim")
    assert capabilities.workspace is not None
    capabilities.workspace.configuration = False
    async with lsp_session(
        [root],
        "neovim",
        capabilities=capabilities,
        initialization_options={"protosmith": {"maxTokens": 1}},
    ) as client:
        [warning] = [m for m in client.messages if m.type == types.MessageType.Warning]
        assert "max_tokens" in warning.message
        await _changed(client, {"protosmith": {"concurrency": 0}})
        assert len(client.messages) == 2 and "concurrency" in client.messages[-1].message


@pytest.mark.skipif(
    not pipeline_service_available(), reason="the generation service is not written yet"
)
async def test_backend_change_takes_effect_on_next_request(tmp_path: Path) -> None:
    root = copy_workspace("generate", tmp_path)
    scripted = {"backend": "scripted", "script": str(TESTS / "scripted_team.py")}
    env = {"PROTOSMITH_ALLOW_SCRIPTED": "1"}
    async with lsp_session([root], "visual-studio-code", env=env, settings=scripted) as client:
        first = await execute(client, "protosmith.generate", {})
        assert first["status"] == "succeeded", first
        client.set_configuration(
            {"protosmith": {"backend": "local", "model": str(root / "missing.gguf")}}
        )
        await _changed(client)
        with pytest.raises(Exception, match="backend 'local' unavailable"):
            await execute(client, "protosmith.generate", {})


async def test_logging_goes_to_editor_and_file_without_secrets(tmp_path: Path) -> None:
    root = copy_workspace("spec", tmp_path)
    log_file = tmp_path / "logs" / "server.log"
    settings = {"trace": "messages", "logFile": str(log_file), "model": SECRET}
    env = {"OPENAI_API_KEY": "plain-secret-value-42"}
    async with lsp_session([root], "visual-studio-code", env=env, settings=settings) as client:
        await _changed(client)
    logged = "\n".join(m.message for m in client.log_messages) + log_file.read_text()
    assert "settings for" in log_file.read_text()
    assert SECRET not in logged and "plain-secret-value-42" not in logged
