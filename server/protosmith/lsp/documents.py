"""Diagnostics for open documents: spec checking while typing, cheap static review on open/save.

Each document has layers of diagnostics: ``check`` (spec problems, or the static review of a
Python file, computed in the review worker process of ``services/source_worker.py``) and
``review`` (the findings of the last ``protosmith.review`` command, LLM ones included). A change
drops the ``review`` layer at once, because its ranges and fixes were computed for the old text,
and schedules a new ``check``; a newer change cancels the pending check, and a result computed
for a version that is no longer current is discarded. So stale diagnostics never linger, and
the latest version always wins.

The checker reaches the server only through :class:`Host`, the few lookups it needs, so this
module sits below :mod:`protosmith.lsp.server`, which creates the checker.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import logging
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lsprotocol import types
from pygls.workspace import TextDocument

from protosmith.analysis.positions import Lines
from protosmith.lsp import convert
from protosmith.services.workspace import SPEC_NAME
from protosmith.settings import Settings

if TYPE_CHECKING:
    from protosmith.analysis.findings import Finding
    from protosmith.services.source_worker import SourceReviewer

log = logging.getLogger("protosmith.lsp.documents")
SPEC_DEBOUNCE_S = 0.2
SOURCE_DEBOUNCE_S = 0.5
SETTINGS_WAIT_S = 10.0
"""How long a check of a file opened before the first settings waits for them."""


def is_spec(uri: str) -> bool:
    """Whether the document is a protosmith spec."""
    return uri.rsplit("/", 1)[-1] == SPEC_NAME


def is_python(uri: str) -> bool:
    """Whether the document is a Python source file on disk (not an untitled buffer)."""
    return uri.startswith("file:") and uri.endswith(".py")


class Host(Protocol):
    """What the checker uses of the server (:class:`~protosmith.lsp.server.ProtosmithServer`)."""

    executor: Executor
    settings_ready: asyncio.Event

    @property
    def position_encoding(self) -> str: ...

    def open_document(self, uri: str) -> TextDocument | None: ...

    def settings_for(self, target: str | Path | None) -> Settings: ...

    def folders(self) -> list[tuple[str, Path]]: ...

    def folder_for(self, path: Path) -> Path: ...

    def encoder(self, known: dict[Path, str] | None = None) -> convert.Encoder: ...

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None: ...


class DocumentChecker:
    """Schedules, runs and publishes the cheap per-document checks."""

    def __init__(self, server: Host) -> None:
        self._server = server
        self._pending: dict[str, asyncio.Task[None]] = {}
        self.layers: dict[str, dict[str, list[types.Diagnostic]]] = {}
        self._warned: set[str] = set()
        self._source_reviewer: SourceReviewer | None = None

    def opened(self, uri: str) -> None:
        """Check a newly opened spec or Python file right away."""
        if is_spec(uri) or (
            is_python(uri) and (not self._server.settings_ready.is_set() or self._on_save(uri))
        ):
            self._schedule(uri, 0.0)

    def changed(self, uri: str) -> None:
        """Drop stale command results and re-check after a short pause in typing."""
        stale = self.layers.get(uri, {}).pop("review", None)
        if is_spec(uri):
            self._schedule(uri, SPEC_DEBOUNCE_S)
        elif is_python(uri) and self._on_save(uri):
            self._schedule(uri, SOURCE_DEBOUNCE_S)
        elif stale or self.layers.get(uri, {}).pop("check", None):
            self.publish(uri)

    def saved(self, uri: str) -> None:
        """Re-run the static review of a saved Python file."""
        if is_python(uri) and self._on_save(uri):
            self._schedule(uri, 0.0)

    def closed(self, uri: str) -> None:
        """Forget the document and clear its diagnostics."""
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.layers.pop(uri, None)
        self._server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def set_layer(self, uri: str, layer: str, diagnostics: list[types.Diagnostic]) -> None:
        """Replace one layer (e.g. from the review command) and publish the document."""
        layers = self.layers.setdefault(uri, {})
        layers[layer] = diagnostics
        if layer == "review":
            layers.pop("check", None)  # a full review includes the static findings
        self.publish(uri)

    def publish(self, uri: str) -> None:
        """Push every layer of a document, tagged with its current version when open."""
        merged = [d for layer in self.layers.get(uri, {}).values() for d in layer]
        document = self._server.open_document(uri)
        self._server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=merged, version=document.version if document else None
            )
        )

    def _on_save(self, uri: str) -> bool:
        return self._server.settings_for(uri).review.onSave

    def _schedule(self, uri: str, delay: float) -> None:
        previous = self._pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.ensure_future(self._check(uri, delay))
        self._pending[uri] = task
        task.add_done_callback(lambda t: self._done(uri, t))

    def _done(self, uri: str, task: asyncio.Task[None]) -> None:
        if self._pending.get(uri) is task:
            del self._pending[uri]
        if not task.cancelled() and task.exception() is not None:
            log.error("checking %s failed", uri, exc_info=task.exception())

    async def _check(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if is_python(uri) and not self._server.settings_ready.is_set():
            # Opened before the first workspace/configuration answer: decide once it is known.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.settings_ready.wait(), SETTINGS_WAIT_S)
            if not self._on_save(uri):
                return
        document = self._server.open_document(uri)
        if document is None:
            log.info("not checking %s: it is not open", uri)
            return  # saved or changed without didOpen: the client owns no text to check
        version, text = document.version, document.source
        path = convert.uri_to_path(uri)
        loop = asyncio.get_running_loop()
        try:
            encoding = self._server.position_encoding
            if is_spec(uri):
                work = functools.partial(_spec_diagnostics, text, path, encoding)
            else:
                root = self._server.folder_for(path)
                findings = await (await self._reviewer()).review(path, text, root)
                encoder = self._server.encoder({path: text})
                work = functools.partial(_source_diagnostics, findings, root, version, encoder)
            diagnostics = await loop.run_in_executor(self._server.executor, work)
        except ChildProcessError as error:  # the review worker died: say so, keep the old layer
            log.error("reviewing %s failed: %s", uri, error, exc_info=error)
            self._warn_once(f"protosmith: {error}")
            return
        current = self._server.open_document(uri)
        if current is None or current.version != version:
            return  # a newer version is being checked; this result is stale
        self.layers.setdefault(uri, {})["check"] = diagnostics
        self.publish(uri)

    async def _reviewer(self) -> SourceReviewer:
        """The per-file review worker, created on the first Python file (imports off the loop)."""
        if self._source_reviewer is None:
            module = await asyncio.to_thread(
                importlib.import_module, "protosmith.services.source_worker"
            )
            if self._source_reviewer is None:  # another check may have created it meanwhile
                self._source_reviewer = module.SourceReviewer()
        return self._source_reviewer

    async def prestart(self) -> None:
        """Start the review worker when on-save review is on in any folder (after start-up)."""
        folders = self._server.folders()
        if any(self._server.settings_for(path).review.onSave for _, path in folders):
            started = time.perf_counter()
            await (await self._reviewer()).prestart()
            log.info(
                "protosmith: review worker ready in %.0f ms", (time.perf_counter() - started) * 1000
            )

    def close(self) -> None:
        """Stop the review worker (server shutdown)."""
        if self._source_reviewer is not None:
            self._source_reviewer.close()

    def _warn_once(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            log.warning("diagnostics unavailable: %s", message)


def _spec_diagnostics(text: str, path: Path, encoding: str) -> list[types.Diagnostic]:
    """PS1xx diagnostics of a spec's text (runs in a worker thread)."""
    from protosmith.spec.loader import load_spec_text

    lines = Lines(text)
    return [
        convert.spec_diagnostic(p, lines, encoding) for p in load_spec_text(text, path).problems
    ]


def _source_diagnostics(
    findings: list[Finding], root: Path, version: int | None, encoder: convert.Encoder
) -> list[types.Diagnostic]:
    """Diagnostics of one file's static findings (converted in a worker thread)."""
    return [convert.finding_diagnostic(f, root, version, encoder) for f in findings if f.active]
