"""Commands that change files: refine, ignore a finding, fix all findings in a file.

Every change goes through ``workspace/applyEdit`` (or a code action's ``edit``), never straight
to disk, so the editor records it and the user can undo it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pydantic import ValidationError

from protosmith.analysis.findings import Range as FindingRange
from protosmith.analysis.findings import TextEdit
from protosmith.analysis.positions import Lines
from protosmith.llm.errors import BackendError
from protosmith.lsp import convert
from protosmith.lsp.arguments import (
    ClientRange,
    FileArgs,
    IgnoreArgs,
    InvalidArguments,
    RefineArgs,
    Unavailable,
)
from protosmith.lsp.operations import backend, service, settings_with_spec, workspace_path
from protosmith.lsp.runs import Run

if TYPE_CHECKING:
    from protosmith.lsp.server import ProtosmithServer

log = logging.getLogger("protosmith.lsp.edits")


async def apply(server: ProtosmithServer, edits: list[TextEdit], root: Path, label: str) -> bool:
    """Send the edits through workspace/applyEdit; tell the user when the editor refuses."""
    return await _apply_edit(server, convert.workspace_edit(edits, root, server.encoder()), label)


async def _apply_edit(server: ProtosmithServer, edit: types.WorkspaceEdit, label: str) -> bool:
    if not server.supports("workspace.apply_edit"):
        raise Unavailable("protosmith: this editor cannot apply workspace edits")
    result = await server.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=label)
    )
    if not result.applied:
        reason = result.failure_reason or "the editor refused the edit"
        server.show(types.MessageType.Error, f"protosmith: {label} was not applied: {reason}")
    return result.applied


def document_lines(server: ProtosmithServer, path: Path) -> Lines:
    """The lines of a file as the client has it (open document, else the file on disk)."""
    return Lines(server.text_of(path) or "")


def client_range(
    server: ProtosmithServer, path: Path, value: ClientRange | None
) -> FindingRange | None:
    """A range argument the client sent, in code points of the file."""
    if value is None:
        return None
    lsp = types.Range(
        start=types.Position(line=value.start.line, character=value.start.character),
        end=types.Position(line=value.end.line, character=value.end.character),
    )
    return convert.finding_range(lsp, document_lines(server, path), server.position_encoding)


def _unsaved(server: ProtosmithServer, path: Path) -> bool:
    document = server.open_document(convert.path_to_uri(path))
    if document is None or not path.is_file():
        return False
    return document.source != path.read_text(encoding="utf-8", errors="replace")


async def compute_refinement(
    server: ProtosmithServer,
    path: Path,
    root: Path,
    instruction: str,
    range_: FindingRange | None,
    target: Any = None,
) -> Any:
    """Run the refinement engine as a cancellable run; return its RefineResult (None if cancelled).

    ``target`` (a ``FixTarget``) names the finding the edit must remove.
    """
    engine = await service("protosmith.services.refine", "refinement engine")
    if _unsaved(server, path):
        raise InvalidArguments(f"save {path.name} first: refine works on the file as saved")
    mechanical = engine.is_mechanical(instruction)
    settings = settings_with_spec(server, root)
    llm = None if mechanical else await backend(server, root, settings)

    async def work(run: Run) -> Any:
        server.runs.report(run, "computing and validating the edit", 0)
        try:
            return await engine.refine(
                path,
                instruction,
                root=root,
                backend=llm,
                range=range_,
                finding=target,
                settings=settings,
            )
        except (LookupError, ValueError) as error:  # nothing to rename, a file outside the root
            return engine.RefineResult(message=str(error))
        except BackendError as error:  # the model is down or unreachable: an outcome, said once
            log.info("refine of %s: the LLM backend failed: %s", path.name, error)
            return engine.RefineResult(message=f"the LLM backend failed: {error}")

    _, result = await server.runs.execute("refine", root, f"protosmith: refine {path.name}", work)
    return result


async def refine_command(server: ProtosmithServer, arg: RefineArgs) -> dict[str, Any]:
    """``protosmith.refine``: compute a validated edit and apply it through applyEdit.

    No validated edit is an outcome, not an error: the user gets the reason as a message.
    """
    path, root = workspace_path(server, arg.uri)
    if not path.is_file():
        raise InvalidArguments(f"'uri': {path} is not a file")
    result = await compute_refinement(
        server, path, root, arg.instruction, client_range(server, path, arg.range)
    )
    if result is None:
        return {"applied": False, "status": "cancelled"}
    outcome = {"validated": result.validated, "message": result.message, "diff": result.diff}
    if not result.validated or not result.edits:
        server.show(types.MessageType.Info, f"protosmith: no validated edit: {result.message}")
        return {"applied": False, **outcome}
    applied = await apply(server, result.edits, root, f"protosmith: {arg.instruction[:60]}")
    return {"applied": applied, **outcome}


async def ignore_command(server: ProtosmithServer, arg: IgnoreArgs) -> dict[str, Any]:
    """``protosmith.ignoreFinding`` ``[{"uri", "code", "line", "reason"?}]``."""
    path, root = workspace_path(server, arg.uri)
    text = document_lines(server, path).get(arg.line)
    edit = convert.ignore_edit(str(path), arg.code, arg.line, text, arg.reason.strip())
    return {"applied": await apply(server, [edit], root, f"protosmith: ignore {arg.code}")}


def fix_all_edits(server: ProtosmithServer, uri: str) -> list[convert.Edit]:
    """Every non-overlapping concrete fix among a document's current diagnostics."""
    groups = []
    for layer in server.documents.layers.get(uri, {}).values():
        for diagnostic in layer:
            data = safe_data(diagnostic)
            if data is not None and data.edits:
                groups.append(data.edits)
    return convert.merge_edits(groups)


async def fix_all_command(server: ProtosmithServer, arg: FileArgs) -> dict[str, Any]:
    """``protosmith.fixAll`` ``[{"uri"}]``: apply every concrete fix in the file."""
    path, _ = workspace_path(server, arg.uri)
    uri = convert.path_to_uri(path)
    edits = fix_all_edits(server, uri)
    if not edits:
        server.show(types.MessageType.Info, f"protosmith: nothing to fix in {path.name}")
        return {"applied": False, "fixes": 0}
    applied = await _apply_edit(
        server, convert.document_edit(uri, edits), "protosmith: fix all findings"
    )
    return {"applied": applied, "fixes": len(edits)}


def safe_data(diagnostic: types.Diagnostic) -> convert.DiagnosticData | None:
    """The data a protosmith diagnostic carries; None when it is not ours or is malformed."""
    try:
        return convert.diagnostic_data(diagnostic)
    except ValidationError:
        log.debug("ignoring a diagnostic with malformed data")
        return None
