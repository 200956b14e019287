"""Spec diagnostics while editing, hover, outline and multi-root, over a real server process."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import (
    EDITORS,
    change_file,
    copy_workspace,
    diagnostics_for,
    lsp_session,
    open_file,
)


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    return request.param


def _range(diagnostic: types.Diagnostic) -> tuple[int, int, int, int]:
    r = diagnostic.range
    return (r.start.line, r.start.character, r.end.line, r.end.character)


async def test_spec_diagnostics_follow_edits(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("spec", tmp_path)
    spec = root / "protosmith.toml"
    valid = spec.read_text()
    async with lsp_session([root], editor) as client:
        uri = open_file(client, spec, "toml")
        assert await diagnostics_for(client, uri, lambda d: True) == []

        typo = valid.replace('name = "calculator"', 'name = "calculator"\ncolour = "red"')
        change_file(client, uri, 2, typo)
        [problem] = await diagnostics_for(client, uri, lambda d: len(d) == 1)
        assert problem.code == "PS101"
        assert problem.source == "protosmith"
        assert problem.severity == types.DiagnosticSeverity.Error
        assert _range(problem) == (4, 0, 4, 6)
        assert problem.code_description is not None
        assert problem.code_description.href.endswith("#ps101")

        change_file(client, uri, 3, valid)
        assert await diagnostics_for(client, uri, lambda d: d == []) == []


async def test_latest_version_wins(editor: str, tmp_path: Path) -> None:
    """Rapid edits: only the newest text's problems are published, never an older version's."""
    root = copy_workspace("spec", tmp_path)
    spec = root / "protosmith.toml"
    valid = spec.read_text()
    async with lsp_session([root], editor) as client:
        uri = open_file(client, spec, "toml")
        await diagnostics_for(client, uri, lambda d: True)
        published: list[types.PublishDiagnosticsParams] = []
        for version in range(2, 7):
            change_file(
                client,
                uri,
                version,
                valid.replace("calculator", f"calc{version}") + f"bogus{version} = 1\n",
            )
        while not published or published[-1].version != 6:
            params = await client.protocol.wait_for_notification_async(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
            )
            published.append(params)
        [problem] = published[-1].diagnostics
        assert "bogus6" in problem.message
        assert all(p.version == 6 for p in published), (
            "a stale version's diagnostics were published"
        )


async def test_close_clears_and_syntax_error_range(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("spec", tmp_path)
    spec = root / "protosmith.toml"
    async with lsp_session([root], editor) as client:
        uri = open_file(client, spec, "toml", text='[project]\nname = "x\n')
        [problem] = await diagnostics_for(client, uri, lambda d: len(d) > 0)
        assert problem.code == "PS100"
        assert problem.range.start.line == 1
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert await diagnostics_for(client, uri, lambda d: d == []) == []


async def test_hover_and_outline(editor: str, tmp_path: Path) -> None:
    root = copy_workspace("spec", tmp_path)
    spec = root / "protosmith.toml"
    async with lsp_session([root], editor) as client:
        uri = open_file(client, spec, "toml")
        doc = types.TextDocumentIdentifier(uri=uri)
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=doc, position=types.Position(line=4, character=2))
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert "project.description" in hover.contents.value
        assert "What the prototype is for" in hover.contents.value
        acceptance = await client.text_document_hover_async(
            types.HoverParams(text_document=doc, position=types.Position(line=11, character=3))
        )
        assert acceptance is not None and "scenarios.acceptance" in acceptance.contents.value  # type: ignore[union-attr]

        outline = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc)
        )
        names = [symbol.name for symbol in outline or []]
        assert names == [
            "goals",
            "project",
            "scenarios: add",
            "scenarios: subtract",
            "architecture",
        ]


async def test_multi_root_each_folder_checks_its_own_spec(tmp_path: Path) -> None:
    first, second = copy_workspace("spec", tmp_path), copy_workspace("second", tmp_path)
    (second / "protosmith.toml").write_text('[project]\nname = "second"\n')
    async with lsp_session([first, second], "visual-studio-code") as client:
        first_uri = open_file(client, first / "protosmith.toml", "toml")
        second_uri = open_file(client, second / "protosmith.toml", "toml")
        assert await diagnostics_for(client, first_uri, lambda d: True) == []
        [missing] = await diagnostics_for(client, second_uri, lambda d: len(d) > 0)
        assert missing.code == "PS102"
