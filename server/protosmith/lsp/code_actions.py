"""Code actions: listing stays cheap; LLM work happens only in codeAction/resolve.

* a ``quickfix`` per diagnostic whose fix has concrete edits (the edit is in the action);
* a ``quickfix`` resolved through the refinement engine when the fix is only an instruction;
* "Ignore this finding" (adds ``# protosmith: ignore[CODE]``);
* "Refine selection with instruction…" (``protosmith.refine``; the client supplies the text);
* ``source.fixAll.protosmith`` for every concrete fix in the file.
Clients that cannot resolve an action's ``edit`` get commands instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pydantic import BaseModel, ValidationError

from protosmith.analysis.findings import Fix
from protosmith.analysis.findings import Range as FindingRange
from protosmith.lsp import convert
from protosmith.lsp.arguments import InvalidArguments
from protosmith.lsp.edits import (
    compute_refinement,
    document_lines,
    fix_all_edits,
    fixable,
    ignore_edit_for,
    safe_data,
)
from protosmith.lsp.operations import service

if TYPE_CHECKING:
    from protosmith.lsp.server import ProtosmithServer

log = logging.getLogger("protosmith.lsp.code_actions")
FIX_ALL = "source.fixAll.protosmith"
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, FIX_ALL]
REFINE_TITLE = "Refine selection with instruction…"


class LlmFixData(BaseModel):
    """What an instruction-only fix needs in codeAction/resolve."""

    kind: str = "llmFix"
    uri: str
    code: str
    instruction: str
    range: FindingRange
    """The finding's range in code points: the lines the model is pointed at."""


def _wanted(kind: str, only: Any) -> bool:
    return not only or any(kind == want or kind.startswith(f"{want}.") for want in only)


def code_actions(
    server: ProtosmithServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """All protosmith actions for a range; fixes whose document version is stale are skipped."""
    uri, only = params.text_document.uri, params.context.only
    document = server.open_document(uri)
    actions: list[types.CodeAction] = []
    try:
        path: Path | None = convert.uri_to_path(uri)
    except ValueError:
        path = None
    if path is not None and _wanted(types.CodeActionKind.QuickFix, only):
        for diagnostic in params.context.diagnostics:
            data = safe_data(diagnostic)
            if data is None or not isinstance(diagnostic.code, str):
                continue
            if (
                document is not None
                and data.version is not None
                and data.version != document.version
            ):
                continue
            actions.extend(_finding_actions(server, uri, path, diagnostic, data.fix))
    rng = params.range
    if (
        path is not None
        and _wanted(types.CodeActionKind.RefactorRewrite, only)
        and rng.start != rng.end
    ):
        arg = {"uri": uri, "range": convert.to_jsonable(rng)}
        actions.append(
            types.CodeAction(
                title=REFINE_TITLE,
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(
                    title=REFINE_TITLE, command="protosmith.refine", arguments=[arg]
                ),
            )
        )
    if _wanted(FIX_ALL, only) and fixable(server, uri):
        actions.append(_fix_all_action(server, uri))
    return actions


def _finding_actions(
    server: ProtosmithServer,
    uri: str,
    path: Path,
    diagnostic: types.Diagnostic,
    fix: Fix | None,
) -> list[types.CodeAction]:
    code = str(diagnostic.code)
    root = server.folder_for(path)
    actions = []
    if fix is not None and fix.edits:
        actions.append(
            types.CodeAction(
                title=convert.fix_title(code, fix),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=convert.workspace_edit(fix.edits, root, server.encoder()),
            )
        )
    elif fix is not None and fix.instruction:
        action = types.CodeAction(
            title=f"{convert.fix_title(code, fix)} with the LLM",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
        )
        lines = document_lines(server, path)
        found = convert.finding_range(diagnostic.range, lines, server.position_encoding)
        if server.resolve_supports_edit():
            data = LlmFixData(uri=uri, code=code, instruction=fix.instruction, range=found)
            action.data = data.model_dump(mode="json")
        else:
            arg = {
                "uri": uri,
                "range": convert.to_jsonable(diagnostic.range),
                "instruction": fix.instruction,
            }
            action.command = types.Command(
                title=action.title, command="protosmith.refine", arguments=[arg]
            )
        actions.append(action)
    ignore = ignore_edit_for(server, path, code, diagnostic.range.start.line)
    actions.append(
        types.CodeAction(
            title=f"Ignore this finding ({code})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=convert.workspace_edit([ignore], root, server.encoder()),
        )
    )
    return actions


def _fix_all_action(server: ProtosmithServer, uri: str) -> types.CodeAction:
    action = types.CodeAction(title="Fix all protosmith findings in file", kind=FIX_ALL)
    if server.resolve_supports_edit():
        action.data = {"kind": "fixAll", "uri": uri}
    else:
        action.command = types.Command(
            title=action.title, command="protosmith.fixAll", arguments=[{"uri": uri}]
        )
    return action


async def resolve(server: ProtosmithServer, action: types.CodeAction) -> types.CodeAction:
    """Fill in a lazily computed edit: fix-all from current diagnostics, LLM fixes via refine."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    if not isinstance(uri, str):
        return action
    if data.get("kind") == "fixAll":
        try:
            path = convert.uri_to_path(uri)
        except ValueError as error:
            raise InvalidArguments(f"malformed code action data: {error}") from error
        edits = fix_all_edits(server, uri)
        if edits:
            action.edit = convert.workspace_edit(edits, server.folder_for(path), server.encoder())
    elif data.get("kind") == "llmFix":
        action.edit = await _llm_fix(server, data)
    return action


async def _llm_fix(server: ProtosmithServer, data: dict[str, Any]) -> types.WorkspaceEdit | None:
    """The validated edit for an instruction-only fix; None (and the reason, as a message)
    when the engine found none: that is an outcome, not an error."""
    engine = await service("protosmith.services.refine", "refinement engine")
    try:
        fix = LlmFixData.model_validate(data)
        path = convert.uri_to_path(fix.uri).resolve()
    except (ValidationError, ValueError) as error:
        raise InvalidArguments(f"malformed code action data: {error}") from error
    root = server.folder_for(path).resolve()
    target = engine.FixTarget(code=fix.code, path=str(path))
    result = await compute_refinement(server, path, root, fix.instruction, fix.range, target)
    if result is None:
        server.show(types.MessageType.Info, f"protosmith: the fix for {fix.code} was cancelled")
        return None
    if not result.validated or not result.edits:
        server.show(
            types.MessageType.Info, f"protosmith: no validated fix for {fix.code}: {result.message}"
        )
        return None
    return convert.workspace_edit(result.edits, root, server.encoder())
