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
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from protosmith.lsp import convert
from protosmith.lsp.arguments import (
    ClientRange,
    FileArgs,
    FixAllData,
    InvalidArguments,
    LlmFixData,
    RefineArgs,
    RefineTarget,
    action_data,
)
from protosmith.lsp.edits import client_range, compute_refinement, fix_all_edits, safe_data
from protosmith.lsp.operations import service

if TYPE_CHECKING:
    from protosmith.lsp.server import ProtosmithServer

log = logging.getLogger("protosmith.lsp.code_actions")
FIX_ALL = "source.fixAll.protosmith"
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, FIX_ALL]
REFINE_TITLE = "Refine selection with instruction…"
FIX_ALL_TITLE = "Fix all protosmith findings in file"


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    return not only or any(kind == want or kind.startswith(f"{want}.") for want in only)


def code_actions(
    server: ProtosmithServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """All protosmith actions for a range; fixes whose document version is stale are skipped."""
    uri, only = params.text_document.uri, params.context.only
    if not uri.startswith("file:"):
        return []
    document = server.open_document(uri)
    version = document.version if document is not None else None
    lazy = server.resolve_supports_edit()
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for diagnostic in params.context.diagnostics:
            data = safe_data(diagnostic)
            if data is None or (version is not None and data.version not in (None, version)):
                continue
            actions.extend(finding_actions(uri, diagnostic, data, lazy=lazy))
    if (
        _wanted(types.CodeActionKind.RefactorRewrite, only)
        and params.range.start != params.range.end
    ):
        actions.append(refine_action(uri, params.range))
    if _wanted(FIX_ALL, only) and fix_all_edits(server, uri):
        actions.append(fix_all_action(uri, lazy=lazy))
    return actions


def finding_actions(
    uri: str, diagnostic: types.Diagnostic, data: convert.DiagnosticData, *, lazy: bool
) -> list[types.CodeAction]:
    """The quick fixes of one diagnostic, from its data alone: the fix, then "Ignore".

    ``lazy``: the client resolves an action's ``edit`` (codeAction/resolve); an instruction-only
    fix then carries its :class:`LlmFixData`, else a ``protosmith.refine`` command.
    """
    actions = []
    if data.edits:
        actions.append(
            types.CodeAction(
                title=data.title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=convert.document_edit(uri, data.edits),
            )
        )
    elif data.instruction:
        action = types.CodeAction(
            title=f"{data.title} with the LLM",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
        )
        where = ClientRange.model_validate(convert.to_jsonable_range(diagnostic.range))
        if lazy:
            fix = LlmFixData(uri=uri, code=data.code, instruction=data.instruction, range=where)
            action.data = fix.model_dump(mode="json")
        else:
            arg = RefineArgs(uri=uri, range=where, instruction=data.instruction)
            action.command = types.Command(
                title=action.title,
                command="protosmith.refine",
                arguments=[arg.model_dump(mode="json", exclude_none=True)],
            )
        actions.append(action)
    if data.suppression is not None:
        actions.append(
            types.CodeAction(
                title=f"Ignore this finding ({data.code})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=convert.document_edit(uri, [data.suppression]),
            )
        )
    return actions


def refine_action(uri: str, selection: types.Range) -> types.CodeAction:
    """ "Refine selection with instruction…": the client asks for the instruction."""
    target = RefineTarget(
        uri=uri, range=ClientRange.model_validate(convert.to_jsonable_range(selection))
    )
    return types.CodeAction(
        title=REFINE_TITLE,
        kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(
            title=REFINE_TITLE,
            command="protosmith.refine",
            arguments=[target.model_dump(mode="json")],
        ),
    )


def fix_all_action(uri: str, *, lazy: bool) -> types.CodeAction:
    """``source.fixAll.protosmith``: its edits in resolve, or the ``protosmith.fixAll`` command."""
    action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL)
    if lazy:
        action.data = FixAllData(uri=uri).model_dump(mode="json")
    else:
        action.command = types.Command(
            title=action.title,
            command="protosmith.fixAll",
            arguments=[FileArgs(uri=uri).model_dump(mode="json")],
        )
    return action


async def resolve(server: ProtosmithServer, action: types.CodeAction) -> types.CodeAction:
    """Fill in a lazily computed edit: fix-all from current diagnostics, LLM fixes via refine."""
    data = action_data(action.data)
    if isinstance(data, FixAllData):
        edits = fix_all_edits(server, data.uri)
        if edits:
            action.edit = convert.document_edit(data.uri, edits)
    elif isinstance(data, LlmFixData):
        action.edit = await _llm_fix(server, data)
    return action


async def _llm_fix(server: ProtosmithServer, fix: LlmFixData) -> types.WorkspaceEdit | None:
    """The validated edit for an instruction-only fix; None (and the reason, as a message)
    when the engine found none: that is an outcome, not an error."""
    engine = await service("protosmith.services.refine", "refinement engine")
    try:
        path = convert.uri_to_path(fix.uri).resolve()
    except ValueError as error:
        raise InvalidArguments(f"malformed code action data: {error}") from error
    root = server.folder_for(path).resolve()
    target = engine.FixTarget(code=fix.code, path=str(path))
    found = client_range(server, path, fix.range)
    result = await compute_refinement(server, path, root, fix.instruction, found, target)
    if result is None:
        server.show(types.MessageType.Info, f"protosmith: the fix for {fix.code} was cancelled")
        return None
    if not result.validated or not result.edits:
        server.show(
            types.MessageType.Info, f"protosmith: no validated fix for {fix.code}: {result.message}"
        )
        return None
    return convert.workspace_edit(result.edits, root, server.encoder())
