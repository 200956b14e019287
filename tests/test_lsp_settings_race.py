"""A file opened before the server has its first settings still obeys them.

Editors send didOpen right after ``initialized``, often before the server's
``workspace/configuration`` request has been answered. Here the client holds that answer back
until the file is open: with ``review.onSave = false`` no diagnostics may ever appear for it, and
with ``true`` they must. (A plain pygls client, because pytest-lsp answers configuration itself.)
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pytest_lsp import client_capabilities

from lsp_support import SERVER_COMMAND, copy_workspace, review_service_available

pytestmark = pytest.mark.skipif(
    not review_service_available(), reason="protosmith.analysis.review is not written yet"
)
QUIET_S = 3.0
"""How long to watch for diagnostics that must not come (a static review takes well under 1 s)."""
TIMEOUT_S = 30.0


@pytest.mark.parametrize("on_save", [False, True])
async def test_file_opened_before_settings_obeys_them(on_save: bool, tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    client = LanguageClient("settings-race", "1")
    file_open, ready, published = asyncio.Event(), asyncio.Event(), asyncio.Event()
    diagnostics: dict[str, list[types.Diagnostic]] = {}

    @client.feature(types.WORKSPACE_CONFIGURATION)
    async def configuration(params: types.ConfigurationParams) -> list[Any]:
        await file_open.wait()  # answer only once the file is open
        return [{"review": {"onSave": on_save}} for _ in params.items]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        """Accept dynamic registrations, as editors do."""

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(params: types.LogMessageParams) -> None:
        if "language server ready" in params.message:
            ready.set()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        diagnostics[params.uri] = list(params.diagnostics)
        if params.diagnostics:
            published.set()

    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    await client.start_io(*SERVER_COMMAND, env=env, cwd=str(root))
    try:
        await client.initialize_async(
            types.InitializeParams(
                capabilities=client_capabilities("neovim"),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            )
        )
        client.initialized(types.InitializedParams())
        app = root / "app.py"
        uri = app.as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=app.read_text()
                )
            )
        )
        await asyncio.sleep(0.2)  # the server sees didOpen while it still waits for settings
        file_open.set()
        await asyncio.wait_for(ready.wait(), TIMEOUT_S)
        if on_save:
            await asyncio.wait_for(published.wait(), TIMEOUT_S)
            assert diagnostics[uri]
        else:
            await asyncio.sleep(QUIET_S)
            assert not diagnostics.get(uri), diagnostics.get(uri)
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
