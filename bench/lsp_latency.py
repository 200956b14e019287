"""Language-server latency: cheap requests while idle against the same requests during work.

A real ``protosmith serve`` subprocess over stdio. Hover and documentSymbol on protosmith.toml
(both cheap) are sent back to back, first with the server idle, then while a generation (the
test-only scripted team, each reply delayed so the run lasts) and a static review of the whole
workspace run in the background. The figures are p50/p99 of each phase, in the same run:

- ``lsp.idle_p99_ms``: p99 with nothing else running;
- ``lsp.busy_p99_ms``: p99 during a generation plus a workspace review (baseline: the idle p99);
- ``lsp.saving_p99_ms``: p99 while a large Python file is edited and saved over and over, each
  change and save starting the on-save static review (baseline: the idle p99).

Run it alone with ``python -m bench.lsp_latency [--tiny]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from bench.common import format_table, record, write_results

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "workspaces" / "lsp"
SLOW_TEAM = FIXTURES / "slow_team.py"
LAYOUT = (
    'team_layout = "core; catalog>core; pricing>core; orders>catalog,pricing; billing>orders"\n'
)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _workspace(target: Path, review_copies: int) -> Path:
    spec = (FIXTURES / "generate" / "protosmith.toml").read_text()
    (target / "protosmith.toml").write_text(spec + "\n[context]\n" + LAYOUT)
    source = (FIXTURES / "review" / "app.py").read_text()
    for index in range(review_copies):
        package = target / "src" / f"module{index}"
        package.mkdir(parents=True)
        (package / "app.py").write_text(source)
    return target


READY_MESSAGES = ("services loaded", "review worker ready")
"""The server's log lines once its start-up imports are done and its review worker is up: idle
means after start-up."""


def _client(ready: asyncio.Event) -> LanguageClient:
    client = LanguageClient("protosmith-bench", "1")

    seen: set[str] = set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(params: types.LogMessageParams) -> None:
        seen.update(m for m in READY_MESSAGES if m in params.message)
        if len(seen) == len(READY_MESSAGES):
            ready.set()

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams) -> list[Any]:
        return [{} for _ in params.items]

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def message(params: types.ShowMessageRequestParams) -> None:
        return None

    for method in (
        types.PROGRESS,
        types.WINDOW_SHOW_MESSAGE,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
    ):
        client.feature(method)(lambda params: None)
    return client


async def _drain(client: LanguageClient) -> None:
    """Read the server's stderr so a full pipe never blocks it."""
    process = getattr(client, "_server", None)
    if process is not None and process.stderr is not None:
        while await process.stderr.readline():
            pass


async def _sample(
    client: LanguageClient,
    uri: str,
    count: int,
    until: asyncio.Future[Any] | None,
    *,
    at_least_s: float = 0.0,
) -> list[float]:
    """Latencies (ms) of alternating hover/documentSymbol requests."""
    doc = types.TextDocumentIdentifier(uri=uri)
    samples: list[float] = []
    phase_started = time.perf_counter()
    while (len(samples) < count or time.perf_counter() - phase_started < at_least_s) and (
        until is None or not until.done()
    ):
        started = time.perf_counter()
        if len(samples) % 2:
            await client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=doc)
            )
        else:
            await client.text_document_hover_async(
                types.HoverParams(text_document=doc, position=types.Position(line=4, character=2))
            )
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _editor(client: LanguageClient, path: Path, text: str, every_s: float) -> None:
    """Edit and save ``path`` every ``every_s`` seconds, as a user typing and saving would."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    version = 1
    while True:
        await asyncio.sleep(every_s)
        version += 1
        text += f"\n\ndef edit_{version}(value):\n    return value\n"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )


async def _while_saving(
    client: LanguageClient, uri: str, root: Path, requests: int, seconds: float
) -> list[float]:
    """Samples while a large Python file (the review fixture, 20 times over) is saved every
    0.3 s: each save starts the static review the editor shows on save."""
    source = (FIXTURES / "review" / "app.py").read_text()
    big = root / "src" / "big.py"
    big.write_text(source * 20)
    editing = asyncio.ensure_future(_editor(client, big, big.read_text(), 0.3))
    try:
        return await _sample(client, uri, requests, None, at_least_s=seconds)
    finally:
        editing.cancel()


async def measure(
    requests: int, delay_s: float, review_copies: int, save_s: float = 6.0
) -> dict[str, Any]:
    """Run both phases against a fresh server; return the raw samples and settings."""
    with tempfile.TemporaryDirectory(prefix="protosmith-bench-") as temporary:
        root = _workspace(Path(temporary).resolve(), review_copies)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOSMITH_")}
        env.update(
            PROTOSMITH_ALLOW_SCRIPTED="1",
            PROTOSMITH_BACKEND="scripted",
            PROTOSMITH_SCRIPT=str(SLOW_TEAM),
            PROTOSMITH_TEST_DELAY=str(delay_s),
        )
        ready = asyncio.Event()
        client = _client(ready)
        await client.start_io(sys.executable, "-m", "protosmith", "serve", env=env, cwd=str(root))
        drain = asyncio.ensure_future(_drain(client))
        try:
            await client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(
                        window=types.WindowClientCapabilities(work_done_progress=True),
                        workspace=types.WorkspaceClientCapabilities(configuration=True),
                    ),
                    root_uri=root.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
                )
            )
            client.initialized(types.InitializedParams())
            spec = root / "protosmith.toml"
            uri = spec.as_uri()
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(
                        uri=uri, language_id="toml", version=1, text=spec.read_text()
                    )
                )
            )
            await asyncio.wait_for(ready.wait(), 60)
            await _sample(client, uri, 20, None)  # warm-up
            idle = await _sample(client, uri, requests, None)
            work = asyncio.gather(
                client.workspace_execute_command_async(
                    types.ExecuteCommandParams(command="protosmith.generate", arguments=[{}])
                ),
                client.workspace_execute_command_async(
                    types.ExecuteCommandParams(
                        command="protosmith.review", arguments=[{"uri": root.as_uri()}]
                    )
                ),
            )
            started = time.perf_counter()
            busy = await _sample(client, uri, requests, work)
            summary, review = await work
            work_s = time.perf_counter() - started
            saving = await _while_saving(client, uri, root, requests, save_s)
            await client.shutdown_async(None)
            client.exit(None)
        finally:
            drain.cancel()
            await client.stop()
            shutil.rmtree(root / ".protosmith", ignore_errors=True)
    return {
        "idle": idle,
        "busy": busy,
        "saving": saving,
        "save_s": save_s,
        "work_s": work_s,
        "status": summary.get("status"),
        "findings": review.get("findings"),
        "delay_s": delay_s,
        "review_files": review_copies,
    }


def run(
    requests: int = 400, delay_s: float = 0.2, review_copies: int = 40, save_s: float = 6.0
) -> dict[str, Any]:
    """Measure and record the figures."""
    data = asyncio.run(measure(requests, delay_s, review_copies, save_s))
    idle, busy, saving = data["idle"], data["busy"], data["saving"]
    params = {
        "requests": "alternating textDocument/hover and textDocument/documentSymbol on protosmith.toml",
        "idle_samples": len(idle),
        "busy_samples": len(busy),
        "idle_p50_ms": round(statistics.median(idle), 3),
        "busy_p50_ms": round(statistics.median(busy), 3),
        "idle_max_ms": round(max(idle), 3),
        "busy_max_ms": round(max(busy), 3),
        "saving_samples": len(saving),
        "saving_p50_ms": round(statistics.median(saving), 3),
        "saving_max_ms": round(max(saving), 3),
        "saving": f"src/big.py (the review fixture x20) changed and saved every 0.3 s for "
        f"{data['save_s']:.0f} s, each save reviewed",
        "background": f"scripted generation ({data['status']}, reply delay {data['delay_s']} s) + "
        f"static review of {data['review_files']} files ({data['findings']} findings), {data['work_s']:.1f} s",
    }
    record("lsp.idle_p99_ms", _percentile(idle, 0.99), "ms", "same requests, server idle", params)
    record(
        "lsp.busy_p99_ms",
        _percentile(busy, 0.99),
        "ms",
        "lsp.idle_p99_ms (same run, same requests, server idle)",
        params,
    )
    record(
        "lsp.saving_p99_ms",
        _percentile(saving, 0.99),
        "ms",
        "lsp.idle_p99_ms (same run, same requests, server idle)",
        params,
    )
    return data


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.lsp_latency``: measure, merge into bench/results.json, print."""
    parser = argparse.ArgumentParser(prog="python -m bench.lsp_latency", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="a smoke-test size")
    args = parser.parse_args(argv)
    if args.tiny:
        run(requests=40, delay_s=0.05, review_copies=2, save_s=1.0)
    else:
        run()
        write_results()
    from bench.common import figures

    print(format_table({k: v for k, v in figures().items() if k.startswith("lsp.")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
