"""The protosmith language server object: its state and the lookups handlers share.

State lives here (settings per workspace folder, the run registry, per-document diagnostics, a
thread pool for blocking work, cached backends); behaviour lives in the modules that own it,
and :mod:`protosmith.lsp.handlers` only translates LSP messages into calls on them.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter

from protosmith import __version__
from protosmith.llm.base import Backend
from protosmith.lsp import convert
from protosmith.lsp.config import ConfigStore, FolderSettings
from protosmith.lsp.documents import DocumentChecker
from protosmith.lsp.logging import LogSetup
from protosmith.lsp.runs import RunRegistry
from protosmith.settings import Settings

if TYPE_CHECKING:
    import cattrs  # pygls's own dependency: only its type is named here

log = logging.getLogger("protosmith.lsp.server")
_MESSAGE_TYPES = {
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
}


_ANSWERED = SimpleNamespace(jsonrpc="answered")
"""Stands in for a request already answered with an error; pygls skips non-2.0 messages."""


class ProtosmithProtocol(LanguageServerProtocol):
    """pygls' protocol, plus forwarding ``$/cancelRequest`` to the run a command started.

    pygls runs a command handler as a task of its own and cancels only the outer request, so
    without this the work would go on after the client was told it was cancelled.
    """

    _server: ProtosmithServer

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Answer a request whose params do not fit its method with an error, instead of dropping it.

        pygls fails such a request while parsing, before it knows the request, so the client would
        wait for an answer forever.
        """
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if not ("id" in data and "method" in data and isinstance(data["id"], int | str)):
                raise
            message = f"invalid params for {data['method']!r}"
            self._send_response(data["id"], error=type(error)(message).to_response_error())
            return _ANSWERED

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        super()._handle_cancel_notification(msg_id)
        self._server.runs.cancel_request(msg_id)


def _converter() -> cattrs.Converter:
    """pygls's converter, except that plain dicts are sent as they are.

    Diagnostic ``data`` (the finding and its fix) and command arguments are JSON-ready dicts that
    protosmith builds; typed as "any" value, cattrs would walk them key by key, which made one
    file's 150 diagnostics take 6 ms to serialize on the event loop instead of 1.7 ms. An attrs
    object left inside such a dict is still serialized, by the JSON encoder's fallback."""
    converter = default_converter()
    converter.register_unstructure_hook(dict, _as_is)
    return converter


def _as_is(value: dict[str, Any]) -> dict[str, Any]:
    return value


class ProtosmithServer(LanguageServer):
    """pygls LanguageServer with protosmith's state."""

    def __init__(self, log_setup: LogSetup | None = None) -> None:
        super().__init__(
            "protosmith",
            __version__,
            protocol_cls=ProtosmithProtocol,
            converter_factory=_converter,
        )
        self.config = ConfigStore()
        self.runs = RunRegistry(self)
        self.documents = DocumentChecker(self)
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="protosmith")
        self.log_setup = log_setup or LogSetup()
        self._backends: dict[str, tuple[str, Backend]] = {}
        self.event_loop: asyncio.AbstractEventLoop | None = None
        """The server's loop, captured at initialize; log records from threads are sent on it."""
        self.background: set[asyncio.Task[Any]] = set()
        """Fire-and-forget tasks (e.g. the end-of-run message), kept so they are not collected."""
        self.settings_ready = asyncio.Event()
        """Set once the first settings have been pulled: checks of documents opened earlier wait,
        so ``review.onSave = false`` holds from the very first file."""

    # --- client capabilities -------------------------------------------------------------
    def supports(self, dotted: str) -> bool:
        """Whether the client declared a capability, e.g. ``window.work_done_progress``."""
        value: Any = self.protocol.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return False
        return bool(value)

    def resolve_supports_edit(self) -> bool:
        """Whether the client resolves a code action's ``edit`` lazily (codeAction/resolve)."""
        caps = self.protocol.client_capabilities.text_document
        support = caps.code_action.resolve_support if caps and caps.code_action else None
        return support is not None and "edit" in support.properties

    # --- workspace folders ---------------------------------------------------------------
    def folders(self) -> list[tuple[str, Path]]:
        """Workspace folders as (uri, path), or the root when the client sent no folders."""
        found = []
        for folder in self.workspace.folders.values():
            try:
                found.append((folder.uri, convert.uri_to_path(folder.uri)))
            except ValueError:
                continue
        if not found and self.workspace.root_uri:
            try:
                found.append(
                    (self.workspace.root_uri, convert.uri_to_path(self.workspace.root_uri))
                )
            except ValueError:
                pass
        return found

    def folder_entry(self, path: Path) -> tuple[str, Path] | None:
        """The innermost workspace folder containing ``path``."""
        inside = [(uri, root) for uri, root in self.folders() if path.is_relative_to(root)]
        return max(inside, key=lambda item: len(item[1].parts), default=None)

    def folder_for(self, path: Path) -> Path:
        """The workspace folder a path belongs to (its own folder when outside all of them)."""
        entry = self.folder_entry(path)
        if entry is not None:
            return entry[1]
        return path if path.is_dir() else path.parent

    # --- settings ------------------------------------------------------------------------
    def folder_settings(self, target: str | Path | None) -> FolderSettings:
        """Resolved settings for a URI or path (its workspace folder's)."""
        if isinstance(target, str):
            try:
                target = convert.uri_to_path(target)
            except ValueError:
                target = None
        entry = self.folder_entry(target) if target is not None else None
        return self.config.get(entry[0] if entry else None)

    def settings_for(self, target: str | Path | None) -> Settings:
        """Effective settings for a URI or path."""
        return self.folder_settings(target).settings

    async def refresh_settings(self) -> None:
        """Pull ``protosmith`` settings for every folder; warn once about invalid values."""
        try:
            await self._refresh_settings()
        finally:
            self.settings_ready.set()

    async def _refresh_settings(self) -> None:
        folders = self.folders() or [("", Path.cwd())]
        answers: list[Any] = [None] * len(folders)
        if self.supports("workspace.configuration"):
            items = [
                types.ConfigurationItem(scope_uri=uri or None, section="protosmith")
                for uri, _ in folders
            ]
            try:
                answers = list(
                    await self.workspace_configuration_async(types.ConfigurationParams(items=items))
                )
            except JsonRpcException as error:
                log.warning("workspace/configuration failed, using pushed settings: %s", error)
        problems: list[str] = []
        for (uri, _), raw in zip(folders, answers, strict=False):
            resolved = self.config.update(uri, raw)
            problems.extend(self.config.new_problems(resolved))
        self._apply_logging()
        for uri, _ in folders:
            log.debug(
                "settings for %s: %s",
                uri or "(no folder)",
                self.config.get(uri).settings.model_dump(mode="json"),
            )
        if problems:
            self.show(
                types.MessageType.Warning,
                "protosmith: invalid settings, using defaults for: " + "; ".join(problems),
            )
        log.info("settings read for %d folder(s)", len(folders))  # last: tests sync on it

    def _apply_logging(self) -> None:
        settings = self.config.get(self.folders()[0][0] if self.folders() else None).settings
        self.log_setup.configure(
            trace=settings.trace, log_file=settings.log_file, api_key_env=settings.api_key_env
        )

    # --- backends ------------------------------------------------------------------------
    async def backend_for(self, folder: Path, settings: Settings) -> Backend:
        """A backend for these settings, reused while they stay the same."""
        factory = await asyncio.to_thread(importlib.import_module, "protosmith.llm.factory")
        fingerprint = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
        cached = self._backends.get(str(folder))
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        if cached is not None:
            await cached[1].aclose()
        backend: Backend = factory.create_backend(settings)
        self._backends[str(folder)] = (fingerprint, backend)
        return backend

    async def close_backends(self) -> None:
        """Release every cached backend (model processes, sockets)."""
        for _, backend in self._backends.values():
            await backend.aclose()
        self._backends.clear()

    # --- messages ------------------------------------------------------------------------
    def show(self, kind: types.MessageType, message: str) -> None:
        """window/showMessage."""
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log_to_client(self, level: int, message: str) -> None:
        """window/logMessage (thread-safe, used by the logging handler)."""
        kind = _MESSAGE_TYPES.get(level, types.MessageType.Log)
        params = types.LogMessageParams(type=kind, message=message)
        loop = self.event_loop
        if loop is None or loop.is_closed():
            return
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self.window_log_message(params)
        else:
            loop.call_soon_threadsafe(self.window_log_message, params)

    def spawn(self, coro: Any) -> None:
        """Run a coroutine in the background, keeping a reference until it finishes."""
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def create_server(log_setup: LogSetup | None = None) -> ProtosmithServer:
    """A server with every protosmith feature registered."""
    from protosmith.lsp.handlers import register

    server = ProtosmithServer(log_setup)
    register(server)
    return server
