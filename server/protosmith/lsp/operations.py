"""What the long-running commands do: generate and review, as runs with progress.

Each function takes the server and the command's one argument object, calls the service, and
turns the outcome into LSP traffic (diagnostics, progress, messages) and a JSON result. Missing
services (packages still being written, optional extras not installed) become a clear error.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from protosmith.analysis.review import ReviewResult
from protosmith.llm.base import Backend
from protosmith.llm.errors import BackendError
from protosmith.lsp import convert
from protosmith.lsp.arguments import (
    GenerateArgs,
    InvalidArguments,
    ReviewArgs,
    RunArgs,
    Unavailable,
)
from protosmith.lsp.generation import GenerationFailed, generate_in_child
from protosmith.lsp.runs import Run
from protosmith.pipeline import run_findings
from protosmith.pipeline.api import GenerateOptions
from protosmith.pipeline.run_lookup import find_journal_run
from protosmith.services import review as review_service
from protosmith.services.workspace import SPEC_NAME, folder_settings, folder_spec
from protosmith.settings import Settings, SettingsOverrides

if TYPE_CHECKING:
    from protosmith.lsp.server import ProtosmithServer

log = logging.getLogger("protosmith.lsp.operations")


SERVICE_MODULES = (
    "protosmith.services.llm_review",
    "protosmith.services.refine",
    "protosmith.llm.factory",
)
"""Imported in the background once the client is initialized (see ``warm_up``)."""


async def warm_up() -> None:
    """Import the service modules in a thread right after start-up, so the first generate or
    review does not spend its first tens of milliseconds importing while the editor waits."""
    started = time.perf_counter()
    for module in SERVICE_MODULES:
        await asyncio.to_thread(importlib.import_module, module)
    log.info("protosmith: services loaded in %.0f ms", (time.perf_counter() - started) * 1000)


async def service(module: str, what: str) -> ModuleType:
    """Import a service module (``what`` names it for logs) in a worker thread: first imports
    of the analysis and pipeline packages take hundreds of milliseconds, which would stall every
    other request. A broken install fails here loudly, as an internal error."""
    log.debug("loading the %s", what)
    return await asyncio.to_thread(importlib.import_module, module)


def workspace_path(server: ProtosmithServer, uri: str, name: str = "uri") -> tuple[Path, Path]:
    """(path, workspace folder) of a URI argument; it must be a file URI inside a folder."""
    try:
        path = convert.uri_to_path(uri).resolve()
    except ValueError as error:  # not a file URI, or a path with a null byte
        raise InvalidArguments(f"{name!r}: {error}") from error
    entry = server.folder_entry(path)
    if entry is None:
        if server.folders():
            raise InvalidArguments(f"{path} is outside the workspace folders")
        return path, path if path.is_dir() else path.parent
    return path, entry[1].resolve()


def settings_with_spec(server: ProtosmithServer, folder: Path) -> Settings:
    """Editor settings layered with the folder spec's ``[llm]`` table (when the spec is valid),
    resolved as the CLI resolves them; problems were shown when the editor settings arrived."""
    settings, _ = folder_settings(
        folder, SettingsOverrides(editor=server.folder_settings(folder).raw)
    )
    return settings


async def backend(server: ProtosmithServer, folder: Path, settings: Settings) -> Backend:
    """The folder's backend, or an :class:`Unavailable` error that says how to fix it."""
    try:
        return await server.backend_for(folder, settings)
    except BackendError as error:
        raise Unavailable(
            f"protosmith: backend {settings.backend!r} unavailable: {error}"
        ) from error


# --- generate ----------------------------------------------------------------------------


def find_spec_path(server: ProtosmithServer, spec_uri: str | None) -> Path:
    """The spec to generate from: the argument, or the only workspace folder spec."""
    if spec_uri is not None:
        path, _ = workspace_path(server, spec_uri, "spec")
        if not path.is_file():
            raise InvalidArguments(f"spec not found: {path}")
        return path
    candidates = [root / SPEC_NAME for _, root in server.folders() if (root / SPEC_NAME).is_file()]
    if len(candidates) != 1:
        found = "no workspace folder has" if not candidates else "several workspace folders have"
        raise InvalidArguments(f'{found} a {SPEC_NAME}; pass [{{"spec": URI}}]')
    return candidates[0].resolve()


async def generate(server: ProtosmithServer, arg: GenerateArgs) -> dict[str, Any]:
    """Run the pipeline on a spec (``{"spec"?, "resume"?}``); resolve with the run summary."""
    spec_path = find_spec_path(server, arg.spec)
    folder = server.folder_for(spec_path).resolve()
    busy = [r for r in server.runs.active() if r.kind == "generate" and r.folder == folder]
    if busy:
        raise InvalidArguments(f"a generation is already running in {folder} ({busy[0].run_id})")
    # The child loads the spec and resolves the settings (editor ones included) itself.
    current = server.folder_settings(folder)
    editor = current.settings.model_dump(mode="json", include=current.editor_keys - {"review"})
    options = GenerateOptions(
        spec_path=spec_path, workspace=folder, resume=arg.resume, editor_settings=editor
    )

    async def work(run: Run) -> Any:
        def on_progress(event: Any) -> None:
            run.pipeline_run_id = event.run_id
            server.runs.report(run, f"{event.stage}: {event.message}", event.percentage)

        try:
            return await generate_in_child(options, on_progress=on_progress)
        except (GenerationFailed, OSError) as error:
            raise Unavailable(f"protosmith: generation failed: {error}") from error

    run, summary = await server.runs.execute(
        "generate", folder, f"protosmith: generate {spec_path.parent.name}", work
    )
    result = convert.to_jsonable(summary) if summary is not None else cancelled_summary(run)
    run.result = result
    server.spawn(announce(server, result, folder))
    if summary is not None:
        await publish_run_findings(server, folder, summary.run_id, summary.output)
    return result


async def publish_run_findings(
    server: ProtosmithServer, folder: Path, run_id: str, output: str
) -> int:
    """Publish what the run's review and contract checks found in the generated files."""
    found = await asyncio.to_thread(run_findings.load, folder, run_id)
    log.debug("run %s: %d finding(s) in %d file(s)", run_id, len(found.findings), len(found.files))
    if not found.files and not found.findings:
        return 0
    return await publish_review(server, found, folder, folder / output)


def cancelled_summary(run: Run) -> dict[str, Any]:
    """The summary of a run cancelled before the pipeline returned one."""
    run_id = run.pipeline_run_id or run.run_id
    return {
        "run_id": run_id,
        "status": "cancelled",
        "files": [],
        "message": f"cancelled; resume with `protosmith generate --resume {run_id}`",
    }


ANNOUNCE_TYPES = {
    "succeeded": types.MessageType.Info,
    "cancelled": types.MessageType.Info,
    "partial": types.MessageType.Warning,
    "budget_exceeded": types.MessageType.Warning,
}
"""The message type of a run's one announcement by its status; anything else is an error."""


def describe_run(summary: dict[str, Any]) -> str:
    """The one sentence that announces how a run ended (no empty run id)."""
    tests = summary.get("tests") or {}
    run_id = summary.get("run_id") or ""
    status = summary.get("status") or "ended"
    text = f"protosmith: run {run_id} {status}" if run_id else f"protosmith: generation {status}"
    files = summary.get("files") or []
    if files or tests.get("ran"):
        text += (
            f": {len(files)} files, tests {tests.get('passed', 0)}/{tests.get('ran', 0)} passed."
        )
    else:
        text += "."
    if summary.get("message"):
        text += f" {summary['message']}"
    return text


async def announce(server: ProtosmithServer, summary: dict[str, Any], folder: Path) -> None:
    """Tell the user once how the run ended, at a severity that matches; offer the README."""
    text = describe_run(summary)
    kind = ANNOUNCE_TYPES.get(str(summary.get("status")), types.MessageType.Error)
    output = folder / str(summary.get("output") or "")
    readme = output / "README.md"
    if not (
        summary.get("output")
        and readme.is_file()
        and server.supports("window.show_document.support")
    ):
        server.show(kind, text)
        return
    action = types.MessageActionItem(title="Open README")
    try:
        choice = await server.window_show_message_request_async(
            types.ShowMessageRequestParams(type=kind, message=text, actions=[action])
        )
        if choice is not None and choice.title == action.title:
            await server.window_show_document_async(
                types.ShowDocumentParams(uri=convert.path_to_uri(readme), take_focus=True)
            )
    except JsonRpcException as error:
        log.info("run message not shown: %s", error)


# --- review ------------------------------------------------------------------------------


async def review(server: ProtosmithServer, arg: ReviewArgs) -> dict[str, Any]:
    """Review a file or folder; publish diagnostics for every reviewed file."""
    path, root = workspace_path(server, arg.uri)
    if not path.exists():
        raise InvalidArguments(f"nothing to review at {path}")
    settings = settings_with_spec(server, root)
    use_llm = settings.review.llm if arg.llm is None else arg.llm
    llm = await backend(server, root, settings) if use_llm else None
    sources = open_sources(server, path)
    spec = folder_spec(root) if use_llm else None

    async def work(run: Run) -> Any:
        server.runs.report(run, f"reviewing {path.name}" + (" with the LLM" if use_llm else ""), 0)
        try:
            return await review_service.review(
                [path], root=root, backend=llm, sources=sources, spec=spec, isolated=True
            )
        except OSError as error:  # the review process could not start or died
            log.error("review of %s failed", path, exc_info=True)
            raise Unavailable(f"protosmith: review failed: {error}") from error

    run, result = await server.runs.execute("review", root, f"protosmith: review {path.name}", work)
    if result is None:
        run.result = {"findings": 0, "status": "cancelled"}
        return run.result
    count = await publish_review(server, result, root, path)
    run.result = {"findings": count, "risk_level": result.risk_level}
    return {"findings": count}


def open_sources(server: ProtosmithServer, path: Path) -> dict[Path, str]:
    """In-memory text of open documents under ``path``, so review sees unsaved edits."""
    found: dict[Path, str] = {}
    for uri, document in list(server.workspace.text_documents.items()):
        try:
            doc_path = convert.uri_to_path(uri).resolve()
        except ValueError:
            continue
        if doc_path == path or doc_path.is_relative_to(path):
            found[doc_path] = document.source
    return found


async def publish_review(
    server: ProtosmithServer, result: ReviewResult, root: Path, target: Path
) -> int:
    """Publish the findings of a review per file ([] for clean files); return the active count.

    A workspace review can touch thousands of files: the loop yields after each file so
    requests that arrive meanwhile are answered between publications, not after all of them.
    """
    by_file: dict[Path, list[types.Diagnostic]] = {}
    for name in result.files:
        by_file.setdefault(convert.resolve_path(str(name), root).resolve(), [])
    active = [finding for finding in result.findings if finding.active]
    encoder = server.encoder()
    for finding in active:
        file = convert.resolve_path(finding.path, root).resolve()
        document = server.open_document(convert.path_to_uri(file))
        diagnostic = convert.finding_diagnostic(
            finding, root, document.version if document else None, encoder
        )
        by_file.setdefault(file, []).append(diagnostic)
    if target.is_file():
        by_file.setdefault(target, [])
    for file, diagnostics in by_file.items():
        server.documents.set_layer(convert.path_to_uri(file), "review", diagnostics)
        await asyncio.sleep(0)
    return len(active)


# --- showRun / cancel --------------------------------------------------------------------


def show_run(server: ProtosmithServer, arg: RunArgs) -> dict[str, Any]:
    """A run's state and summary; for a pipeline run, its journal manifest too."""
    run_id = arg.run_id
    run = server.runs.find(run_id)
    info: dict[str, Any] = run.describe() if run else {}
    journal_id = (run.pipeline_run_id if run else None) or run_id
    folders = [folder for _, folder in server.folders()]
    found = find_journal_run(folders, journal_id, latest=run is None)
    if found is not None:
        if found.manifest is not None:
            info["manifest"] = found.manifest
        info.setdefault("run_id", found.run_id)
    if not info:
        raise InvalidArguments(f"no run {run_id!r}" if run_id else "no runs yet")
    return info


def cancel(server: ProtosmithServer, arg: RunArgs) -> dict[str, Any]:
    """Cancel the named run, or all runs."""
    return {"cancelled": server.runs.cancel(arg.run_id)}
