"""Code actions: listing stays cheap; LLM work happens only in codeAction/resolve.

* a ``quickfix`` per diagnostic whose fix has concrete edits (the edit is in the action);
* a ``quickfix`` resolved through the refinement engine when the fix is only an instruction;
* "Ignore this finding" (adds ``# protosmith: ignore[CODE]``);
* "Refine selection with instruction…" (``protosmith.refine``; the client supplies the text);
* ``source.fixAll.protosmith`` for every concrete fix in the file.
Clients that cannot resolve an action's ``edit`` get commands instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from protosmith.analysis.findings import Finding
from protosmith.lsp import convert
from protosmith.lsp.edits import (
    compute_refinement,
    fix_all_edits,
    fixable,
    ignore_edit_for,
    safe_finding,
)
from protosmith.lsp.operations import Unavailable

if TYPE_CHECKING:
    from protosmith.lsp.server import ProtosmithServer

FIX_ALL = "source.fixAll.protosmith"
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite, FIX_ALL]


def _wanted(kind: str, only: Any) -> bool:
    return not only or any(kind == want or kind.startswith(f"{want}.") for want in only)


def code_actions(
    server: ProtosmithServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """All protosmith actions for a range; fixes whose document version is stale are skipped."""
    uri, only = params.text_document.uri, params.context.only
    document = server.workspace.text_documents.get(uri)
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for diagnostic in params.context.diagnostics:
            parsed = safe_finding(diagnostic)
            if parsed is None:
                continue
            finding, root, version = parsed
            if document is not None and version is not None and version != document.version:
                continue
            actions.extend(_finding_actions(server, uri, diagnostic, finding, root))
    rng = params.range
    if (
        _wanted(types.CodeActionKind.RefactorRewrite, only)
        and rng.start != rng.end
        and uri.startswith("file:")
    ):
        arg = {"uri": uri, "range": convert.to_jsonable(convert.finding_range(rng))}
        actions.append(
            types.CodeAction(
                title="Refine selection with instruction…",
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(
                    title="Refine selection with instruction…",
                    command="protosmith.refine",
                    arguments=[arg],
                ),
            )
        )
    if _wanted(FIX_ALL, only) and fixable(server, uri):
        actions.append(_fix_all_action(server, uri))
    return actions


def _finding_actions(
    server: ProtosmithServer, uri: str, diagnostic: types.Diagnostic, finding: Finding, root: Any
) -> list[types.CodeAction]:
    actions = []
    fix = finding.fix
    label = f"protosmith ({finding.code})"
    if fix is not None and fix.edits:
        actions.append(
            types.CodeAction(
                title=f"{label}: {fix.title}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=convert.workspace_edit(fix.edits, root),
            )
        )
    elif fix is not None and fix.instruction:
        action = types.CodeAction(
            title=f"{label}: {fix.title}",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
        )
        if server.resolve_supports_edit():
            action.data = {"kind": "llmFix", "uri": uri, "finding": finding.model_dump(mode="json")}
        else:
            arg = {
                "uri": uri,
                "range": convert.to_jsonable(finding.range),
                "instruction": fix.instruction,
            }
            action.command = types.Command(
                title=action.title, command="protosmith.refine", arguments=[arg]
            )
        actions.append(action)
    ignore = ignore_edit_for(server, uri, finding)
    actions.append(
        types.CodeAction(
            title=f"Ignore this finding ({finding.code})",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=convert.workspace_edit([ignore], root),
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
        edits, root = fix_all_edits(server, uri)
        if root is not None:
            action.edit = convert.workspace_edit(edits, root)
    elif data.get("kind") == "llmFix":
        action.edit = await _llm_fix(server, uri, data)
    return action


async def _llm_fix(server: ProtosmithServer, uri: str, data: dict[str, Any]) -> types.WorkspaceEdit:
    try:
        finding = Finding.model_validate(data.get("finding"))
        path = convert.uri_to_path(uri).resolve()
    except ValueError as error:
        raise JsonRpcInvalidParams(f"malformed code action data: {error}") from error
    root = server.folder_for(path).resolve()
    instruction = (
        finding.fix.instruction if finding.fix and finding.fix.instruction else finding.message
    )
    result = await compute_refinement(server, path, root, instruction, finding.range, finding)
    if result is None or not result.validated or not result.edits:
        message = "cancelled" if result is None else result.message
        raise Unavailable(f"protosmith: no validated fix for {finding.code}: {message}")
    return convert.workspace_edit(result.edits, root)
