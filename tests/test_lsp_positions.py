"""Positions in the client's encoding, on lines with accents, guillemets, CJK and emoji.

VS Code counts UTF-16 code units; Neovim offers UTF-8 first and pygls picks it. Every range the
server sends (taint, ruff, spec problems, related locations, fixes, the ignore comment) must
select the same text in either unit, and every range the client sends must be read in its unit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import (
    EDITORS,
    change_file,
    diagnostics_for,
    execute,
    lsp_session,
    open_file,
    review_service_available,
)

pytestmark = pytest.mark.skipif(
    not review_service_available(), reason="protosmith.analysis.review is not written yet"
)

VIEWS = """from flask import Flask, request

app = Flask(__name__)


@app.route("/search")
def search():
    term = request.args.get("q", "")
    return f"<h1>Résultats pour « {term} »</h1>"


@app.route("/hello")
def hello():
    greeting = "你好, 世界 😀"
    return greeting + undefined_name
"""

SPEC = """[project]
name = "café « 😀 »"

[[scenarios]]
name = "naïve 你好"
acceptance = ["works"]
priority = "urgent"
"""


@pytest.fixture(params=EDITORS)
def editor(request: pytest.FixtureRequest) -> str:
    return request.param


def encoding_of(client: object) -> str:
    """The positionEncoding the server answered in initialize (utf-16 when it named none)."""
    result = client.initialize_result  # type: ignore[attr-defined]
    chosen = result.capabilities.position_encoding or "utf-16"
    return str(getattr(chosen, "value", chosen))


def _codec(encoding: str) -> tuple[str, int]:
    return {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}[encoding]


def to_index(line: str, units: int, encoding: str) -> int:
    """A client column as a str index, the way the editor reads it."""
    codec, width = _codec(encoding)
    return len(line.encode(codec)[: units * width].decode(codec))


def selected(text: str, value: types.Range, encoding: str) -> str:
    """The text a one-line range selects, read in the client's unit."""
    assert value.start.line == value.end.line, value
    line = text.splitlines()[value.start.line]
    return line[
        to_index(line, value.start.character, encoding) : to_index(
            line, value.end.character, encoding
        )
    ]


def apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply edits the way an editor with this encoding does."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line
        line = lines[start.line]
        body = line.rstrip("\r\n")
        a, b = to_index(body, start.character, encoding), to_index(body, end.character, encoding)
        lines[start.line] = body[:a] + edit.new_text + body[b:] + line[len(body) :]
    return "".join(lines)


async def test_finding_ranges_and_ignore_edit_follow_the_encoding(
    editor: str, tmp_path: Path
) -> None:
    root = tmp_path / "web"
    root.mkdir()
    views = root / "views.py"
    views.write_text(VIEWS, encoding="utf-8")
    async with lsp_session([root], editor) as client:
        encoding = encoding_of(client)
        assert encoding == ("utf-8" if editor == "neovim" else "utf-16")
        uri = open_file(client, views)
        diagnostics = await diagnostics_for(
            client, uri, lambda ds: {"PS307", "PS202"} <= {d.code for d in ds}
        )
        xss = next(d for d in diagnostics if d.code == "PS307")
        assert selected(VIEWS, xss.range, encoding) == (
            'return f"<h1>Résultats pour « {term} »</h1>"'
        )
        assert xss.related_information
        sources = [selected(VIEWS, r.location.range, encoding) for r in xss.related_information]
        assert any("request.args" in text for text in sources), sources
        undefined = next(d for d in diagnostics if d.code == "PS202")
        assert selected(VIEWS, undefined.range, encoding) == "undefined_name"

        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=xss.range,
                context=types.CodeActionContext(diagnostics=[xss]),
            )
        )
        titles = [a.title for a in actions or []]
        assert "Fix cross-site scripting (PS307) with the LLM" in titles, titles
        [ignore] = [a for a in actions or [] if a.title == "Ignore this finding (PS307)"]
        assert ignore.edit is not None and ignore.edit.changes is not None
        ignored = apply(VIEWS, list(ignore.edit.changes[uri]), encoding)
        assert 'return f"<h1>Résultats pour « {term} »</h1>"  # protosmith: ignore[PS307]' in (
            ignored
        ), ignored
        change_file(client, uri, 2, ignored)
        after = await diagnostics_for(client, uri, lambda ds: all(d.code != "PS307" for d in ds))
        assert any(d.code == "PS202" for d in after)


async def test_review_command_and_fixes_on_a_file_that_is_not_open(
    editor: str, tmp_path: Path
) -> None:
    root = tmp_path / "web"
    root.mkdir()
    views = root / "views.py"
    views.write_text(VIEWS, encoding="utf-8")
    async with lsp_session([root], editor, settings={"review": {"onSave": False}}) as client:
        encoding = encoding_of(client)
        result = await execute(client, "protosmith.review", {"uri": root.as_uri()})
        assert result["findings"] >= 2
        diagnostics = list(client.diagnostics[views.as_uri()])
        xss = next(d for d in diagnostics if d.code == "PS307")
        assert selected(VIEWS, xss.range, encoding).endswith('»</h1>"')
        # The ignore command, at the end of the line in the client's unit.
        applied = await execute(
            client,
            "protosmith.ignoreFinding",
            {"uri": views.as_uri(), "code": "PS307", "line": xss.range.start.line},
        )
        assert applied["applied"]
        [edit] = client.applied_edits  # type: ignore[attr-defined]
        changed = apply(VIEWS, list(edit.edit.changes[views.as_uri()]), encoding)
        assert '»</h1>"  # protosmith: ignore[PS307]\n' in changed


async def test_spec_problems_hover_and_outline_follow_the_encoding(
    editor: str, tmp_path: Path
) -> None:
    root = tmp_path / "spec"
    root.mkdir()
    spec = root / "protosmith.toml"
    spec.write_text(SPEC, encoding="utf-8")
    async with lsp_session([root], editor) as client:
        encoding = encoding_of(client)
        uri = open_file(client, spec, "toml")
        [problem] = await diagnostics_for(client, uri, lambda ds: len(ds) > 0)
        assert problem.code == "PS103"
        assert selected(SPEC, problem.range, encoding) == '"urgent"'
        assert "'high', 'medium' or 'low'" in problem.message and '"urgent"' in problem.message
        assert "a string" not in problem.message
        symbols = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        names = [s.name for s in symbols or []]
        assert "scenarios: naïve 你好" in names, names
        project = next(s for s in symbols or [] if s.name == "project")
        [name_key] = project.children or []
        line = SPEC.splitlines()[name_key.range.end.line]
        assert to_index(line, name_key.range.end.character, encoding) == len(line)
        # Hover on "priority", sent in the client's unit after non-ASCII text on earlier lines.
        line_no = SPEC.splitlines().index('priority = "urgent"')
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line_no, character=3),
            )
        )
        assert hover is not None and "priority" in str(hover.contents)
