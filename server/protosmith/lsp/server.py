"""The protosmith language server object: its state and the lookups handlers share.

State lives here (settings per workspace folder, the run registry, per-document diagnostics, a
thread pool for blocking work, cached backends); behaviour lives in the modules that own it,
and :mod:`protosmith.lsp.handlers` only translates LSP messages into calls on them.
:mod:`protosmith.lsp.app` creates the server and registers the handlers on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from protosmith import __version__
from protosmith.llm.base import Backend
from protosmith.lsp import convert, transport
from protosmith.lsp.config import ConfigStore, FolderSettings
from protosmith.lsp.documents import DocumentChecker
from protosmith.lsp.logging import LogSetup
from protosmith.lsp.protocol import ProtosmithProtocol
from protosmith.lsp.runs import RunRegistry
from protosmith.settings import Settings

log = logging.getLogger("protosmith.lsp.server")
EXIT_GRACE_S = 0.25
"""How long ``exit`` lets cancelled runs signal their children before the process ends."""
_MESSAGE_TYPES = {
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
}


class ProtosmithServer(LanguageServer):
    """pygls LanguageServer with protosmith's state."""

    protocol: ProtosmithProtocol

    def __init__(self, log_setup: LogSetup | None = None) -> None:
        super().__init__(
            "protosmith",
            __version__,
            protocol_cls=ProtosmithProtocol,
        )
        self.config = ConfigStore()
        self.runs = RunRegistry(self)
        self.protocol.forward_cancel = self.runs.cancel_request
        self.protocol.exit_process = self.exit_now
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

    def open_document(self, uri: str) -> TextDocument | None:
        """The document the client opened under ``uri``; None when it is not open.

        pygls' ``get_text_document`` reads a file that is not open from disk, which fails for a
        missing file or a path with a null byte; only open documents hold the client's text.
        """
        return self.workspace.text_documents.get(unquote(uri))

    @property
    def position_encoding(self) -> str:
        """The ``positionEncoding`` pygls negotiated: utf-16 unless the client offered another."""
        return convert.position_encoding(self.workspace.position_encoding)

    def text_of(self, path: Path) -> str | None:
        """A file's current text: the open document, else the file; None when unreadable."""
        document = self.open_document(convert.path_to_uri(path))
        if document is not None:
            return document.source
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return None

    def encoder(self, known: dict[Path, str] | None = None) -> convert.Encoder:
        """Converts finding ranges to the client's unit; ``known`` texts win over lookups."""
        given = {path.resolve(): text for path, text in (known or {}).items()}

        def text_of(path: Path) -> str | None:
            known_text = given.get(path.resolve())
            return known_text if known_text is not None else self.text_of(path)

        return convert.Encoder(self.position_encoding, text_of)

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

    # --- transport and process ---------------------------------------------------------------
    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio with protosmith's reader (:mod:`protosmith.lsp.transport`)."""
        self._stop_event = threading.Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        stop = self._stop_event

        async def serve() -> None:
            self.event_loop = asyncio.get_running_loop()
            try:
                await transport.read_loop(stop, reader, self.protocol)
            except BrokenPipeError:
                log.warning("the client closed the connection")
            # End of input without ``exit``: the client is gone, nothing is left to wait for.
            self.exit_now(0 if self.protocol._shutdown else 1)
            await asyncio.sleep(EXIT_GRACE_S * 4)

        try:
            asyncio.run(serve())
        except (KeyboardInterrupt, SystemExit):
            pass
        self.exit_now(0 if self.protocol._shutdown else 1)

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one TCP client at a time with protosmith's reader, like :meth:`start_io`."""
        self._stop_event = stop = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.event_loop = asyncio.get_running_loop()
            self.protocol.set_writer(writer)  # type: ignore[arg-type]  # pygls does the same
            await transport.read_loop(stop, reader, self.protocol)
            self.exit_now(0 if self.protocol._shutdown else 1)

        async def serve() -> None:
            server = await asyncio.start_server(connection, host, port)
            async with server:
                await server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
            asyncio.run(serve())

    def exit_now(self, code: int) -> None:
        """Leave at once (``exit``, or the client went away), whatever is still running.

        Worker threads (a busy review of a large file) would hold a normal interpreter exit for
        as long as they run, and the client kills a server that is not gone within about 2 s.
        Runs are cancelled and child processes stopped first; the log is flushed; then
        ``os._exit``. A run's own cleanup (the generation child's SIGINT) is given
        :data:`EXIT_GRACE_S` on the loop when the loop is free.
        """
        log.info("exiting (code %d)", code)

        def leave() -> None:
            for handler in [
                *logging.getLogger("protosmith").handlers,
                *logging.getLogger().handlers,
            ]:
                with contextlib.suppress(Exception):
                    handler.flush()
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os._exit(code)

        # The deadline first: no cleanup below may hold the exit (a worker being started holds
        # its lock, a busy machine slows everything).
        timer = threading.Timer(EXIT_GRACE_S, leave)
        timer.daemon = True
        timer.start()
        self.runs.cancel()
        for child in multiprocessing.active_children():
            child.terminate()
        self.documents.close()
        loop = self.event_loop
        if loop is None or loop.is_closed() or not loop.is_running():
            leave()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors of notifications and of sending: logged once, shown only when unexpected."""
        if isinstance(error, JsonRpcException) and not isinstance(error, JsonRpcInternalError):
            log.info("%s: %s", getattr(source, "__name__", source), error)
            return
        log.error("protosmith: %s", error)
        super().report_server_error(error, source)

    def spawn(self, coro: Any) -> None:
        """Run a coroutine in the background, keeping a reference until it finishes."""
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())
