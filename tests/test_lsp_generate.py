"""protosmith.generate over a real server: progress, files, the end message, the three ways to
cancel, resuming, and a server that stays responsive while it generates.

The backend is the test-only scripted team (``PROTOSMITH_ALLOW_SCRIPTED=1``); the slow variant
delays every reply so cancellation lands mid-run.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled

from load_support import busy_cores, wait_until_gone
from lsp_support import (
    EDITORS,
    WORKSPACES,
    copy_workspace,
    execute,
    lsp_session,
    open_file,
    pipeline_service_available,
    scripted_env,
    wait_for,
    wait_until,
)

pytestmark = pytest.mark.skipif(
    not pipeline_service_available(),
    reason="protosmith.pipeline.service or tests/scripted_team.py missing",
)
__all__ = ["busy_cores"]  # the fixture, used by name
SLOW = WORKSPACES / "slow_team.py"
LAYOUT = 'team_layout = "core; catalog>core; pricing>core; orders>catalog,pricing"\n'


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    return request.param


def _slow_workspace(tmp_path: Path) -> Path:
    root = copy_workspace("generate", tmp_path)
    spec = root / "protosmith.toml"
    spec.write_text(spec.read_text() + "\n[context]\n" + LAYOUT)
    return root


def _generate(client: Any, argument: dict[str, Any] | None = None) -> asyncio.Future[Any]:
    return asyncio.ensure_future(execute(client, "protosmith.generate", argument or {}))


async def _first_report(client: Any) -> str:
    """Wait until a run reports progress; return its token."""

    def reported() -> bool:
        return any(
            any(isinstance(v, types.WorkDoneProgressReport) for v in values)
            for values in client.progress_reports.values()
        )

    await wait_for(client, types.PROGRESS, reported)
    return next(iter(client.progress_reports))


def _manifest(root: Path, run_id: str) -> dict[str, Any]:
    return json.loads((root / ".protosmith" / "runs" / run_id / "manifest.json").read_text())


async def test_generate_reports_progress_writes_files_and_offers_readme(
    editor: str, tmp_path: Path
) -> None:
    root = copy_workspace("generate", tmp_path)
    async with lsp_session([root], editor, env=scripted_env()) as client:
        summary = await execute(
            client, "protosmith.generate", {"spec": (root / "protosmith.toml").as_uri()}
        )
        assert summary["status"] == "succeeded", summary
        assert summary["files"] and all((root / name).is_file() for name in summary["files"])
        assert "prototype/README.md" in summary["files"]
        [reports] = client.progress_reports.values()
        assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
        middle = [r for r in reports if isinstance(r, types.WorkDoneProgressReport)]
        assert middle and middle[-1].percentage == 100 and all(r.message for r in middle)
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)

        readme = (root / "prototype" / "README.md").as_uri()
        await wait_until(lambda: bool(client.shown_documents), timeout=10)
        assert client.shown_documents[0].uri == readme
        [request] = client.message_requests
        assert summary["run_id"] in request.message and request.actions[0].title == "Open README"

        shown = await execute(client, "protosmith.showRun", {"run_id": summary["run_id"]})
        assert shown["status"] == "finished" and shown["manifest"]["run_id"] == summary["run_id"]


async def test_a_generations_findings_are_published_when_it_ends(
    editor: str, tmp_path: Path
) -> None:
    root = copy_workspace("generate", tmp_path)
    spec = root / "protosmith.toml"
    spec.write_text(spec.read_text() + '\n[context]\nteam_layout = "weakcore"\n')
    async with lsp_session([root], editor, env=scripted_env()) as client:
        summary = await execute(client, "protosmith.generate", {"spec": spec.as_uri()})
        assert summary["status"] == "succeeded", summary
        [source] = [name for name in summary["files"] if name.endswith("weakcore/weakcore.py")]
        uri = (root / source).as_uri()

        def published() -> bool:
            return any(d.code == "PS315" for d in client.diagnostics.get(uri, []))

        # Published by the run itself: the file was never opened, nothing reviewed it again.
        await wait_until(published, timeout=20)
        [finding] = [d for d in client.diagnostics[uri] if d.code == "PS315"]
        line = (root / source).read_text().splitlines()[finding.range.start.line]
        assert "hashlib.md5" in line and finding.source == "protosmith"


@pytest.mark.parametrize("way", ["command", "progress", "request"])
async def test_cancel_stops_the_run_and_it_resumes(way: str, tmp_path: Path) -> None:
    root = _slow_workspace(tmp_path)
    async with lsp_session([root], "visual-studio-code", env=scripted_env(SLOW)) as client:
        if way == "request":
            params = types.ExecuteCommandParams(command="protosmith.generate", arguments=[{}])
            pending = asyncio.ensure_future(
                client.protocol.send_request_async(
                    types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=4242
                )
            )
        else:
            pending = _generate(client)
        token = await _first_report(client)
        started = time.monotonic()  # the stop is timed, not the child's start on a busy machine
        if way == "command":
            assert (await execute(client, "protosmith.cancel", {}))["cancelled"]
        elif way == "progress":
            client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
        else:
            client.cancel_request(types.CancelParams(id=4242))
        if way == "request":
            with pytest.raises(JsonRpcRequestCancelled):
                await pending
            await wait_for(
                client,
                types.PROGRESS,
                lambda: isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd),
            )
            summary = (await execute(client, "protosmith.showRun", {}))["result"]
        else:
            summary = await pending
        assert summary["status"] == "cancelled", summary
        assert time.monotonic() - started < 20
        assert _manifest(root, summary["run_id"])["status"] == "cancelled"

        if way != "command":
            return  # resuming is the same whichever way the run was cancelled
        client.progress_reports.clear()
        resumed = await execute(client, "protosmith.generate", {"resume": summary["run_id"]})
        assert resumed["status"] == "succeeded", resumed
        assert (root / "prototype" / "README.md").is_file()


@pytest.mark.timeout(300)
@pytest.mark.parametrize("way", ["command", "request"])
async def test_cancel_under_load_stops_every_process_and_writes_nothing_after(
    way: str, tmp_path: Path, busy_cores: int
) -> None:
    root = _slow_workspace(tmp_path)
    # A server started by a script or a service manager inherits "ignore SIGINT", and so does
    # its generation child: the stop must not depend on SIGINT being heard.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        async with lsp_session([root], "neovim", env=scripted_env(SLOW)) as client:
            if way == "request":
                params = types.ExecuteCommandParams(command="protosmith.generate", arguments=[{}])
                pending = asyncio.ensure_future(
                    client.protocol.send_request_async(
                        types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=4343
                    )
                )
            else:
                pending = _generate(client)
            token = await _first_report(client)
            stopped = time.monotonic()
            if way == "command":
                assert (await execute(client, "protosmith.cancel", {}))["cancelled"]
                summary = await pending
            else:
                client.cancel_request(types.CancelParams(id=4343))
                with pytest.raises(JsonRpcRequestCancelled):
                    await pending
                await wait_for(
                    client,
                    types.PROGRESS,
                    lambda: isinstance(
                        client.progress_reports[token][-1], types.WorkDoneProgressEnd
                    ),
                    timeout=60,
                )
                summary = (await execute(client, "protosmith.showRun", {}))["result"]
            answered = time.monotonic() - stopped
            print(f"{way} cancel under load ({busy_cores} busy loops): answered in {answered:.2f}s")
            left = await asyncio.to_thread(wait_until_gone, str(root), 1.0)
            assert summary["status"] == "cancelled", summary
            assert not left, f"still running after the run was reported cancelled: {left}"
            assert _manifest(root, summary["run_id"])["status"] == "cancelled"
            written = sorted(p for p in root.rglob("*") if ".protosmith" not in p.parts)
            await asyncio.sleep(2)
            after = sorted(p for p in root.rglob("*") if ".protosmith" not in p.parts)
            assert after == written, "files appeared after the run was reported cancelled"
            assert answered < 15, f"the cancel took {answered:.1f}s"
    finally:
        signal.signal(signal.SIGINT, previous)


async def test_requests_are_answered_during_a_generation(tmp_path: Path) -> None:
    root = _slow_workspace(tmp_path)
    async with lsp_session([root], "neovim", env=scripted_env(SLOW)) as client:
        uri = open_file(client, root / "protosmith.toml", "toml")
        pending = _generate(client)
        await _first_report(client)
        started = time.monotonic()
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=3, character=1),
            )
        )
        latency = time.monotonic() - started
        assert hover is not None and not pending.done(), "the hover waited for the generation"
        assert latency < 1.0, f"hover took {latency:.3f}s during a generation"
        await execute(client, "protosmith.cancel", {})
        assert (await pending)["status"] == "cancelled"


async def test_second_generate_in_same_folder_is_refused(tmp_path: Path) -> None:
    root = _slow_workspace(tmp_path)
    async with lsp_session([root], "visual-studio-code", env=scripted_env(SLOW)) as client:
        pending = _generate(client)
        await _first_report(client)
        with pytest.raises(Exception, match="already running"):
            await execute(client, "protosmith.generate", {})
        await execute(client, "protosmith.cancel", {})
        assert (await pending)["status"] == "cancelled"


async def test_generate_on_an_invalid_spec_is_announced_once_as_an_error(tmp_path: Path) -> None:
    root = copy_workspace("generate", tmp_path)
    spec = root / "protosmith.toml"
    spec.write_text(spec.read_text().replace("[project]", "[project]\nsurprise = 1", 1))
    async with lsp_session([root], "visual-studio-code", env=scripted_env()) as client:
        summary = await execute(client, "protosmith.generate", {"spec": spec.as_uri()})
        assert summary["status"] == "failed", summary
        await wait_until(lambda: any("generation" in m.message for m in client.messages))
        said = [m for m in client.messages if m.message.startswith("protosmith: ")]
        [announcement] = [m for m in said if "failed" in m.message]
        assert announcement.type == types.MessageType.Error, announcement
        assert "run  failed" not in announcement.message and "invalid spec" in announcement.message
        # The progress ends as the run did, and Show Run says so too.
        [reports] = client.progress_reports.values()
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)
        assert reports[-1].message == "Failed", reports[-1]
        shown = await execute(client, "protosmith.showRun", {})
        assert shown["status"] == "failed", shown
