"""Shared helpers for the language-server tests: a real ``protosmith serve`` subprocess driven by
pytest-lsp, with the capabilities of a real editor, in a copy of a fixture workspace."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

TESTS = Path(__file__).parent
WORKSPACES = TESTS / "workspaces" / "lsp"
EDITORS = ["visual-studio-code", "neovim"]
SERVER_COMMAND = [sys.executable, "-m", "protosmith", "serve"]
TIMEOUT_S = 30.0


def copy_workspace(name: str, target: Path) -> Path:
    """A fresh copy of ``tests/workspaces/lsp/<name>`` under ``target``."""
    destination = target / name
    shutil.copytree(WORKSPACES / name, destination)
    return destination.resolve()


def scripted_env(script: Path | None = None, **extra: str) -> dict[str, str]:
    """Environment selecting the test-only scripted backend (``PROTOSMITH_ALLOW_SCRIPTED=1``)."""
    env = {
        "PROTOSMITH_ALLOW_SCRIPTED": "1",
        "PROTOSMITH_BACKEND": "scripted",
        "PROTOSMITH_SCRIPT": str(script or TESTS / "scripted_team.py"),
    }
    env.update(extra)
    return env


@asynccontextmanager
async def lsp_session(
    folders: list[Path],
    editor: str,
    *,
    env: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
    initialization_options: Any = None,
    capabilities: types.ClientCapabilities | None = None,
) -> AsyncIterator[LanguageClient]:
    """Start the server, initialize it like ``editor`` would, wait until its settings are read."""
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
    server_env.update(env or {})
    config = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env)
    client: LanguageClient = await config.start()  # type: ignore[assignment]
    client.set_configuration({"protosmith": settings or {}})
    client.message_requests = []  # type: ignore[attr-defined]

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def _answer(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        """Record the request and pick its first action, like a user clicking it."""
        client.message_requests.append(params)  # type: ignore[attr-defined]
        return params.actions[0] if params.actions else None

    client.applied_edits = []  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def _apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        """Record the edit and accept it (the test applies it to text itself)."""
        client.applied_edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams) -> None:
        """Accept dynamic registrations (didChangeConfiguration), as editors do."""

    try:
        client.initialize_result = await client.initialize_session(  # type: ignore[attr-defined]
            types.InitializeParams(
                capabilities=capabilities or client_capabilities(editor),
                root_uri=folders[0].as_uri(),
                workspace_folders=[
                    types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders
                ],
                initialization_options=initialization_options,
            )
        )
        await wait_for(client, types.WINDOW_LOG_MESSAGE, lambda: _ready(client))
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


def _ready(client: LanguageClient) -> bool:
    return any("language server ready" in m.message for m in client.log_messages)


async def wait_for(
    client: LanguageClient, method: str, predicate: Callable[[], bool], timeout: float = TIMEOUT_S
) -> None:
    """Await notifications of ``method`` until ``predicate()`` holds (race-free: one loop)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        waiter = client.protocol.wait_for_notification_async(method)
        if predicate():
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"timed out waiting for {method}")
        await asyncio.wait_for(waiter, remaining)


async def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT_S) -> None:
    """Poll a condition fed by server *requests* (showDocument, applyEdit), which no notification
    waiter sees."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


async def diagnostics_for(
    client: LanguageClient, uri: str, predicate: Callable[[list[types.Diagnostic]], bool]
) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` once a publish satisfies ``predicate``."""

    def ok() -> bool:
        return uri in client.diagnostics and predicate(list(client.diagnostics[uri]))

    await wait_for(client, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, ok)
    return list(client.diagnostics[uri])


def open_file(
    client: LanguageClient, path: Path, language: str = "python", text: str | None = None
) -> str:
    """didOpen a file (version 1) and return its URI."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id=language,
                version=1,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return uri


def change_file(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """didChange with a full-text replacement."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def execute(
    client: LanguageClient, command: str, argument: dict[str, Any] | None = None
) -> Any:
    """workspace/executeCommand with protosmith's one-object argument list."""
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=command, arguments=[argument] if argument is not None else []
        )
    )


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits to a text (last edit first), as an editor would."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        return offsets[min(position.line, len(lines))] + position.character

    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def review_service_available() -> bool:
    """Whether protosmith.services.review exists yet (written by another engineer)."""
    from importlib.util import find_spec

    return find_spec("protosmith.services.review") is not None


def pipeline_service_available() -> bool:
    """Whether protosmith.pipeline.service and the shared scripted team exist yet."""
    from importlib.util import find_spec

    return (
        find_spec("protosmith.pipeline.service") is not None
        and (TESTS / "scripted_team.py").is_file()
    )
