"""Review over a real server: static findings on open, the review command, quick fixes, ignore
comments, fix-all and refine, with VS Code's and Neovim's capabilities."""

from __future__ import annotations

import ast
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_support import (
    EDITORS,
    apply_text_edits,
    change_file,
    copy_workspace,
    diagnostics_for,
    execute,
    lsp_session,
    open_file,
    review_service_available,
    scripted_env,
    wait_until,
)

pytestmark = pytest.mark.skipif(
    not review_service_available(), reason="protosmith.analysis.review is not written yet"
)


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    return request.param


def _by_code(diagnostics: list[types.Diagnostic], code: str) -> types.Diagnostic:
    return next(d for d in diagnostics if d.code == code)


async def _actions(
    client: Any, uri: str, diagnostic: types.Diagnostic, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def _edits(edit: types.WorkspaceEdit | None, uri: str) -> list[types.TextEdit]:
    assert edit is not None and edit.changes is not None
    return list(edit.changes[uri])


def _command_of(action: types.CodeAction | types.Command) -> dict[str, Any]:
    """The command a code action carries. lsprotocol's client-side converter reads a CodeAction
    that has a ``command`` as a Command (stringifying the nested object); editors tell them apart
    by the type of ``command``, so undo that here."""
    if isinstance(action, types.CodeAction):
        assert action.command is not None
        return {"command": action.command.command, "arguments": action.command.arguments}
    return ast.literal_eval(action.command)


def _has(code: str) -> Any:
    return lambda diagnostics: any(d.code == code for d in diagnostics)


async def test_open_publishes_findings_and_quick_fix_changes_the_file(
    editor: str, tmp_path: Path
) -> None:
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    text = app.read_text()
    async with lsp_session([root], editor) as client:
        uri = open_file(client, app)
        diagnostics = await diagnostics_for(client, uri, _has("PS304"))
        finding = _by_code(diagnostics, "PS304")
        assert finding.source == "protosmith"
        assert finding.severity == types.DiagnosticSeverity.Error  # critical
        assert finding.range.start.line == 12
        assert finding.code_description and finding.code_description.href.endswith("#ps304")
        assert finding.related_information and finding.related_information[0].location.uri == uri
        assert "CWE-502" in finding.message

        actions = await _actions(client, uri, finding)
        [fix] = [a for a in actions if a.is_preferred]
        assert fix.kind == types.CodeActionKind.QuickFix and "PS304" in fix.title
        fixed = apply_text_edits(text, _edits(fix.edit, uri))
        assert "yaml.safe_load(request.data)" in fixed

        change_file(client, uri, 2, fixed)
        after = await diagnostics_for(client, uri, lambda d: not _has("PS304")(d))
        assert all(d.code != "PS304" for d in after)


def _review_workers(server_pid: int) -> list[int]:
    """The server's child processes that run multiprocessing's spawned pool workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server_pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads /proc")
async def test_on_save_review_runs_in_a_background_worker_that_survives_a_crash(
    tmp_path: Path,
) -> None:
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    text = app.read_text()
    async with lsp_session([root], "neovim") as client:
        uri = open_file(client, app)
        await diagnostics_for(client, uri, _has("PS304"))
        server = client._server  # type: ignore[attr-defined]
        [worker] = _review_workers(server.pid)
        # Not in the server's process, and below its priority: the editor's requests come first.
        assert os.getpriority(os.PRIO_PROCESS, worker) > os.getpriority(os.PRIO_PROCESS, server.pid)

        os.kill(worker, signal.SIGKILL)
        added = (
            text
            + "\n\ndef hash_password(password):\n    import hashlib\n\n"
            + "    return hashlib.md5(password.encode()).hexdigest()\n"
        )
        change_file(client, uri, 2, added)
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        # A new worker reviews the new text; the server never went down.
        after = await diagnostics_for(client, uri, _has("PS315"))  # weak hash, in the new text
        assert _has("PS304")(after)
        assert _review_workers(server.pid) not in ([], [worker])


async def test_review_command_publishes_for_every_file(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    async with lsp_session([root], editor, settings={"review": {"onSave": False}}) as client:
        result = await execute(client, "protosmith.review", {"uri": root.as_uri(), "llm": False})
        assert result["findings"] >= 1
        app, clean = (root / "app.py").as_uri(), (root / "clean.py").as_uri()
        assert _has("PS304")(list(client.diagnostics[app]))
        assert list(client.diagnostics[clean]) == []
        assert len([d for d in client.diagnostics[app]]) == result["findings"]


async def test_llm_review_runs_through_the_scripted_reviewer(tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    async with lsp_session(
        [root], "neovim", env=scripted_env(), settings={"review": {"onSave": False}}
    ) as client:
        result = await execute(client, "protosmith.review", {"uri": root.as_uri(), "llm": True})
        # The scripted reviewer confirms every static finding and adds no claim of its own.
        assert result["findings"] >= 1
        assert _has("PS304")(list(client.diagnostics[(root / "app.py").as_uri()]))


async def test_ignore_this_finding_suppresses_it(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    async with lsp_session([root], editor) as client:
        uri = open_file(client, app)
        finding = _by_code(await diagnostics_for(client, uri, _has("PS304")), "PS304")
        actions = await _actions(client, uri, finding, only=[types.CodeActionKind.QuickFix])
        [ignore] = [a for a in actions if a.title.startswith("Ignore this finding")]
        ignored = apply_text_edits(app.read_text(), _edits(ignore.edit, uri))
        assert "return yaml.load(request.data)  # protosmith: ignore[PS304]" in ignored
        change_file(client, uri, 2, ignored)
        after = await diagnostics_for(client, uri, lambda d: not _has("PS304")(d))
        assert all(d.code != "PS304" for d in after)


async def test_fix_all_resolves_and_command_applies(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    async with lsp_session([root], editor) as client:
        uri = open_file(client, app)
        finding = _by_code(await diagnostics_for(client, uri, _has("PS304")), "PS304")
        [fix_all] = await _actions(client, uri, finding, only=["source.fixAll"])
        assert (
            fix_all.kind == "source.fixAll.protosmith" and fix_all.data
        )  # both clients resolve edits
        resolved = await client.code_action_resolve_async(fix_all)
        assert "yaml.safe_load" in apply_text_edits(app.read_text(), _edits(resolved.edit, uri))

        assert (await execute(client, "protosmith.fixAll", {"uri": uri}))["applied"]
        [applied] = client.applied_edits
        assert "yaml.safe_load" in apply_text_edits(app.read_text(), _edits(applied.edit, uri))


async def test_refine_selection_and_instruction_fixes(tmp_path: Path) -> None:
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    async with lsp_session([root], "neovim") as client:
        uri = open_file(client, app)
        await diagnostics_for(client, uri, _has("PS304"))
        selection = types.Range(
            start=types.Position(line=15, character=0), end=types.Position(line=16, character=16)
        )
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=selection,
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        [refine] = [a for a in actions or [] if a.title.startswith("Refine selection")]
        command = _command_of(refine)
        assert command["command"] == "protosmith.refine"
        with pytest.raises(Exception, match="instruction"):
            await execute(client, "protosmith.refine", command["arguments"][0])

        argument = {**command["arguments"][0], "instruction": "rename add to plus"}
        result = await execute(client, "protosmith.refine", argument)
        assert result["applied"] and result["validated"], result
        [applied] = client.applied_edits
        assert "def plus(a, b):" in apply_text_edits(app.read_text(), _edits(applied.edit, uri))


async def test_instruction_only_fix_is_computed_in_resolve(tmp_path: Path) -> None:
    """A fix that is only an instruction (as LLM findings carry) is listed cheaply, then refined."""
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    async with lsp_session([root], "visual-studio-code") as client:
        uri = open_file(client, app)
        real = _by_code(await diagnostics_for(client, uri, _has("PS304")), "PS304")
        data = dict(real.data)  # type: ignore[arg-type]
        # Only what a fix needs, as ruff's server: no finding, no path.
        assert set(data) <= {"code", "title", "edits", "instruction", "suppression", "version"}
        data.update(title="Rename add (PS304)", edits=[], instruction="rename add to plus")

        def llm_like(code: str) -> types.Diagnostic:
            return types.Diagnostic(
                range=real.range,
                message=real.message,
                source="protosmith",
                code=code,
                data={**data, "code": code},
            )

        # The rename leaves the yaml finding in place: no validated fix, said as information.
        actions = await _actions(client, uri, llm_like("PS304"))
        [lazy] = [a for a in actions if a.title == "Rename add (PS304) with the LLM"]
        assert lazy.edit is None and lazy.data["kind"] == "llmFix"
        resolved = await client.code_action_resolve_async(lazy)
        assert resolved.edit is None
        await wait_until(lambda: any("no validated fix" in m.message for m in client.messages))
        [said] = [m for m in client.messages if "no validated fix" in m.message]
        assert said.type == types.MessageType.Info and "PS304 is still reported" in said.message

        # A finding the rename does remove (an LLM finding about the name) gets the edit.
        actions = await _actions(client, uri, llm_like("PS501"))
        [lazy] = [a for a in actions if a.data and a.data["kind"] == "llmFix"]
        resolved = await client.code_action_resolve_async(lazy)
        assert "def plus(a, b):" in apply_text_edits(app.read_text(), _edits(resolved.edit, uri))


async def test_an_llm_fix_whose_backend_is_unreachable_is_an_outcome_not_an_internal_error(
    tmp_path: Path,
) -> None:
    """An LLM quick fix when the model's endpoint refuses connections: resolve answers (no
    edit, no -32603 with a traceback) and the user reads why, once."""
    root = copy_workspace("review", tmp_path)
    app = root / "app.py"
    settings = {
        "backend": "openai",
        "baseUrl": "http://127.0.0.1:9/v1",  # nothing listens on the discard port
        "model": "unreachable",
        "maxRetries": 0,
    }
    async with lsp_session([root], "neovim", settings=settings) as client:
        uri = open_file(client, app)
        real = _by_code(await diagnostics_for(client, uri, _has("PS304")), "PS304")
        data = {**dict(real.data), "edits": [], "instruction": "use yaml.safe_load"}  # type: ignore[arg-type]
        diagnostic = types.Diagnostic(
            range=real.range, message=real.message, source="protosmith", code="PS304", data=data
        )
        [lazy] = [
            a for a in await _actions(client, uri, diagnostic) if a.title.endswith("with the LLM")
        ]
        resolved = await client.code_action_resolve_async(lazy)
        assert resolved.edit is None
        await wait_until(lambda: any("no validated fix" in m.message for m in client.messages))
        [said] = [m for m in client.messages if "no validated fix" in m.message]
        assert "the LLM backend failed: cannot connect to http://127.0.0.1:9/v1" in said.message

        # The LLM review of the file meets the same endpoint: a refusal that says why
        # (RequestFailed), not an internal error.
        with pytest.raises(JsonRpcException) as refused:
            await execute(client, "protosmith.review", {"uri": uri, "llm": True})
        assert refused.value.code == -32803, refused.value
        assert "cannot connect to http://127.0.0.1:9/v1" in str(refused.value)
        assert "internal error" not in str(refused.value)
