"""Every LSP feature and command protosmith registers; each handler only translates.

Long work (generate, review, refine) is awaited inside async command handlers, which pygls runs
as tasks, so hover, code actions and diagnostics are answered while it runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from protosmith.lsp import code_actions, edits, operations, spec_outline
from protosmith.lsp.arguments import (
    FileArgs,
    GenerateArgs,
    IgnoreArgs,
    RefineArgs,
    ReviewArgs,
    RunArgs,
    parse,
)
from protosmith.lsp.documents import is_spec
from protosmith.lsp.server import ProtosmithServer

log = logging.getLogger("protosmith.lsp.handlers")


def register(server: ProtosmithServer) -> None:
    """Register protosmith's features and commands on ``server``."""
    _lifecycle(server)
    _documents(server)
    _language(server)
    _commands(server)


def _lifecycle(server: ProtosmithServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: ProtosmithServer, params: types.InitializeParams) -> None:
        ls.event_loop = asyncio.get_running_loop()
        ls.config.pushed = params.initialization_options
        ls.log_setup.attach_editor(ls.log_to_client)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ProtosmithServer, params: types.InitializedParams) -> None:
        if ls.supports("workspace.did_change_configuration.dynamic_registration"):
            registration = types.Registration(
                id="protosmith-config", method=types.WORKSPACE_DID_CHANGE_CONFIGURATION
            )
            ls.client_register_capability(types.RegistrationParams(registrations=[registration]))
        await ls.refresh_settings()
        ls.spawn(operations.warm_up())
        ls.spawn(ls.documents.prestart())
        log.info(
            "protosmith language server ready (folders: %s)", [str(p) for _, p in ls.folders()]
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed_configuration(
        ls: ProtosmithServer, params: types.DidChangeConfigurationParams
    ) -> None:
        if params.settings:
            ls.config.pushed = params.settings
        await ls.refresh_settings()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def changed_folders(
        ls: ProtosmithServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        await ls.refresh_settings()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: ProtosmithServer, params: None) -> None:
        ls.runs.cancel()
        await ls.close_backends()
        ls.executor.shutdown(wait=False, cancel_futures=True)
        ls.documents.close()


def _documents(server: ProtosmithServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ProtosmithServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.documents.opened(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ProtosmithServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.documents.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ProtosmithServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.documents.saved(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ProtosmithServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.documents.closed(params.text_document.uri)


def _language(server: ProtosmithServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ProtosmithServer, params: types.HoverParams) -> types.Hover | None:
        if not is_spec(params.text_document.uri):
            return None
        document = ls.open_document(params.text_document.uri)
        if document is None:
            return None
        return spec_outline.hover(document.source, params.position, ls.position_encoding)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: ProtosmithServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        document = ls.open_document(params.text_document.uri)
        if document is None or not is_spec(params.text_document.uri):
            return []
        return spec_outline.symbols(document.source, ls.position_encoding)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=code_actions.KINDS, resolve_provider=True),
    )
    def code_action(ls: ProtosmithServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions.code_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(
        ls: ProtosmithServer, params: types.CodeAction
    ) -> types.CodeAction:
        return await code_actions.resolve(ls, params)


def _commands(server: ProtosmithServer) -> None:
    @server.command("protosmith.generate")
    async def generate(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return await operations.generate(ls, parse("protosmith.generate", GenerateArgs, args))

    @server.command("protosmith.review")
    async def review(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return await operations.review(ls, parse("protosmith.review", ReviewArgs, args))

    @server.command("protosmith.refine")
    async def refine(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return await edits.refine_command(ls, parse("protosmith.refine", RefineArgs, args))

    @server.command("protosmith.cancel")
    def cancel(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return operations.cancel(ls, parse("protosmith.cancel", RunArgs, args))

    @server.command("protosmith.showRun")
    def show_run(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return operations.show_run(ls, parse("protosmith.showRun", RunArgs, args))

    @server.command("protosmith.ignoreFinding")
    async def ignore_finding(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return await edits.ignore_command(ls, parse("protosmith.ignoreFinding", IgnoreArgs, args))

    @server.command("protosmith.fixAll")
    async def fix_all(ls: ProtosmithServer, *args: Any) -> dict[str, Any]:
        return await edits.fix_all_command(ls, parse("protosmith.fixAll", FileArgs, args))
