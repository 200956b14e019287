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

from protosmith.analysis.findings import Finding, TextEdit
from protosmith.analysis.findings import Range as FindingRange
from protosmith.lsp import convert
from protosmith.lsp.operations import (
    InvalidArguments,
    Unavailable,
    backend,
    service,
    settings_with_spec,
    workspace_path,
)
from protosmith.lsp.runs import Run

if TYPE_CHECKING:
    from protosmith.lsp.server import ProtosmithServer

log = logging.getLogger("protosmith.lsp.edits")


async def apply(server: ProtosmithServer, edits: list[TextEdit], root: Path, label: str) -> bool:
    """Send the edits through workspace/applyEdit; tell the user when the editor refuses."""
    if not server.supports("workspace.apply_edit"):
        raise Unavailable("protosmith: this editor cannot apply workspace edits")
    result = await server.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=convert.workspace_edit(edits, root), label=label)
    )
    if not result.applied:
        reason = result.failure_reason or "the editor refused the edit"
        server.show(types.MessageType.Error, f"protosmith: {label} was not applied: {reason}")
    return result.applied


def parse_range(value: Any) -> FindingRange | None:
    """An LSP range argument (``{"start": {...}, "end": {...}}``) or None."""
    if value is None:
        return None
    try:
        return FindingRange.model_validate(value)
    except ValidationError as error:
        raise InvalidArguments(f"invalid 'range': {error.errors()[0]['msg']}") from error


def _unsaved(server: ProtosmithServer, path: Path) -> bool:
    document = server.workspace.text_documents.get(convert.path_to_uri(path))
    if document is None or not path.is_file():
        return False
    return document.source != path.read_text(encoding="utf-8")


async def compute_refinement(
    server: ProtosmithServer,
    path: Path,
    root: Path,
    instruction: str,
    range_: FindingRange | None,
    finding: Finding | None = None,
) -> Any:
    """Run the refinement engine as a cancellable run; return its RefineResult (None if cancelled)."""
    engine = await service("protosmith.analysis.refine", "refinement engine")
    if _unsaved(server, path):
        raise InvalidArguments(f"save {path.name} first: refine works on the file as saved")
    mechanical = engine.is_mechanical(instruction)
    llm = None if mechanical else await backend(server, root, settings_with_spec(server, root))

    async def work(run: Run) -> Any:
        server.runs.report(run, "computing and validating the edit", 0)
        return await engine.refine(
            path, instruction, root=root, backend=llm, range=range_, finding=finding
        )

    _, result = await server.runs.execute("refine", root, f"protosmith: refine {path.name}", work)
    return result


async def refine_command(server: ProtosmithServer, arg: dict[str, Any]) -> dict[str, Any]:
    """``protosmith.refine``: compute a validated edit and apply it through applyEdit."""
    instruction = arg.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        raise InvalidArguments(
            "missing 'instruction': the editor client asks the user and passes it, "
            'e.g. [{"uri": ..., "range": ..., "instruction": "extract a function"}]'
        )
    path, root = workspace_path(server, arg.get("uri"))
    result = await compute_refinement(
        server, path, root, instruction, parse_range(arg.get("range"))
    )
    if result is None:
        return {"applied": False, "status": "cancelled"}
    outcome = {"validated": result.validated, "message": result.message, "diff": result.diff}
    if not result.validated or not result.edits:
        server.show(
            types.MessageType.Warning, f"protosmith: refine offered no edit: {result.message}"
        )
        return {"applied": False, **outcome}
    applied = await apply(server, result.edits, root, f"protosmith: {instruction.strip()[:60]}")
    return {"applied": applied, **outcome}


def line_text(server: ProtosmithServer, uri: str, line: int) -> str:
    """One line of a document (open or on disk); empty past the end."""
    lines = server.workspace.get_text_document(uri).lines
    return lines[line] if 0 <= line < len(lines) else ""


def ignore_edit_for(
    server: ProtosmithServer, uri: str, finding: Finding, reason: str = ""
) -> TextEdit:
    """The edit that suppresses ``finding`` with a ``# protosmith: ignore[CODE]`` comment."""
    line = finding.range.start.line
    path = str(convert.uri_to_path(uri))
    return convert.ignore_edit(path, finding.code, line, line_text(server, uri, line), reason)


async def ignore_command(server: ProtosmithServer, arg: dict[str, Any]) -> dict[str, Any]:
    """``protosmith.ignoreFinding`` ``[{"uri", "code", "line", "reason"?}]``."""
    path, root = workspace_path(server, arg.get("uri"))
    code, line = arg.get("code"), arg.get("line")
    if not isinstance(code, str) or not isinstance(line, int) or line < 0:
        raise InvalidArguments(
            "protosmith.ignoreFinding needs 'code' (e.g. PS301) and a zero-based 'line'"
        )
    uri = convert.path_to_uri(path)
    reason = str(arg.get("reason") or "")
    edit = convert.ignore_edit(str(path), code, line, line_text(server, uri, line), reason)
    return {"applied": await apply(server, [edit], root, f"protosmith: ignore {code}")}


def fixable(server: ProtosmithServer, uri: str) -> list[tuple[Finding, Path]]:
    """Current findings of a document whose fix carries concrete edits."""
    found = []
    for layer in server.documents.layers.get(uri, {}).values():
        for diagnostic in layer:
            parsed = safe_finding(diagnostic)
            if parsed and parsed[0].fix and parsed[0].fix.edits:
                found.append((parsed[0], parsed[1]))
    return found


def fix_all_edits(server: ProtosmithServer, uri: str) -> tuple[list[TextEdit], Path | None]:
    """Every non-overlapping fix in a document, and the root their paths are relative to."""
    found = fixable(server, uri)
    groups = [finding.fix.edits for finding, _ in found if finding.fix]
    return convert.merge_edits(groups), (found[0][1] if found else None)


async def fix_all_command(server: ProtosmithServer, arg: dict[str, Any]) -> dict[str, Any]:
    """``protosmith.fixAll`` ``[{"uri"}]``: apply every concrete fix in the file."""
    path, root = workspace_path(server, arg.get("uri"))
    edits, fix_root = fix_all_edits(server, convert.path_to_uri(path))
    if not edits:
        return {"applied": False, "fixes": 0}
    applied = await apply(server, edits, fix_root or root, "protosmith: fix all findings")
    return {"applied": applied, "fixes": len(edits)}


def safe_finding(diagnostic: types.Diagnostic) -> tuple[Finding, Path, int | None] | None:
    """The finding a diagnostic carries; None when it is not ours or its data is malformed."""
    try:
        return convert.diagnostic_finding(diagnostic)
    except ValidationError:
        log.debug("ignoring a diagnostic with malformed data")
        return None
