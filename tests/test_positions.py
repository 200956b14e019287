"""Columns in one unit: the pure converters, byte-counting producers, and renames after non-ASCII
text (in process, no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from protosmith.analysis import positions
from protosmith.analysis.edit_checks import undefined_names
from protosmith.analysis.impact import rename_identifier, rename_leftovers
from protosmith.analysis.review import review_source
from protosmith.llm.scripted import ScriptedBackend
from protosmith.services.refine import refine

LINE = 'x = "é«你😀" + name'


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-32", 13), ("utf-16", 14), ("utf-8", 5 + 2 + 2 + 3 + 4 + 4)],
)
def test_code_points_to_and_from_each_client_unit(encoding: str, expected: int) -> None:
    index = LINE.index("name")
    assert positions.to_client(LINE, index, encoding) == expected
    assert positions.from_client(LINE, expected, encoding) == index
    assert positions.to_client(LINE, 10_000, encoding) == positions.to_client(
        LINE, len(LINE), encoding
    )


def test_a_unit_inside_a_character_rounds_up_and_ast_bytes_convert() -> None:
    emoji = LINE.index("😀")
    assert positions.from_client(
        LINE, positions.to_client(LINE, emoji, "utf-16") + 1, "utf-16"
    ) == (emoji + 1)
    byte_column = len(LINE[: LINE.index("name")].encode("utf-8"))
    assert positions.utf8_to_index(LINE, byte_column) == LINE.index("name")


def test_lines_split_as_lsp_counts_them() -> None:
    assert positions.split_lines("a\r\nb\rc\nd\u2028e\x0cf") == ["a", "b", "c", "d\u2028e\x0cf"]


def test_review_ranges_are_code_points_for_every_producer(tmp_path: Path) -> None:
    text = (
        "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
        '@app.route("/s")\ndef search():\n    term = request.args.get("q", "")\n'
        '    return f"<h1>Résultats pour « {term} »</h1>"\n\n\n'
        "def hello():\n    return '你好 😀' + undefined_name\n"
    )
    path = tmp_path / "views.py"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    found = {f.code: f for f in review_source(path, text, root=tmp_path)}
    xss = found["PS307"].range
    assert lines[xss.start.line][xss.start.character : xss.end.character] == (
        'return f"<h1>Résultats pour « {term} »</h1>"'
    )
    name = found["PS202"].range  # ruff, characters already
    assert lines[name.start.line][name.start.character : name.end.character] == "undefined_name"


def test_rename_finds_uses_after_non_ascii_text() -> None:
    source = (
        "def cart_total(prices):\n    return sum(prices)\n\n\n"
        'def label(prices):\n    return "Total (€): " + str(cart_total(prices))\n'
    )
    renamed = rename_identifier(source, "cart_total", "basket_total")
    assert "cart_total" not in renamed
    assert "str(basket_total(prices))" in renamed


async def test_rename_after_non_ascii_text_is_validated_with_no_use_left(tmp_path: Path) -> None:
    (tmp_path / "shop.py").write_text(
        "def cart_total(prices):\n    return sum(prices)\n", encoding="utf-8"
    )
    (tmp_path / "ui.py").write_text(
        "from shop import cart_total\n\n\n"
        'def label(prices):\n    return "Total (€): " + str(cart_total(prices))\n',
        encoding="utf-8",
    )
    result = await refine(
        tmp_path / "shop.py", "rename cart_total to basket_total", root=tmp_path, backend=None
    )
    assert result.validated, result.message
    assert "rename: complete" in result.checks
    ui = next(e for e in result.edits if e.path.endswith("ui.py")).new_text
    assert "cart_total" not in ui


def test_rename_leftovers_names_every_use_a_change_would_leave(tmp_path: Path) -> None:
    (tmp_path / "shop.py").write_text("def cart_total(p):\n    return sum(p)\n", encoding="utf-8")
    ui = tmp_path / "ui.py"
    ui.write_text("from shop import cart_total\n\nx = cart_total([1])\n", encoding="utf-8")
    changes = {tmp_path / "shop.py": "def basket_total(p):\n    return sum(p)\n"}
    assert rename_leftovers(tmp_path, "cart_total", changes) == ["ui.py:1", "ui.py:3"]


def test_undefined_names_reads_the_symbol_table() -> None:
    source = (
        "import os\n\n\ndef f(a):\n    global g\n    g = 1\n"
        "    return [i for i in range(a)], os.sep, missing, lambda: later\n"
    )
    assert undefined_names(source) == {"missing": 7, "later": 7}
    assert undefined_names("from x import *\nprint(y)\n") is None


async def test_an_edit_that_leaves_an_undefined_name_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "shop.py"
    target.write_text(
        "def cart_total(p):\n    return sum(p)\n\n\ndef label(p):\n    return str(cart_total(p))\n",
        encoding="utf-8",
    )
    half = target.read_text().replace("def cart_total", "def basket_total")
    backend = ScriptedBackend([json.dumps({"files": [{"path": "shop.py", "content": half}]})])
    result = await refine(target, "rename it", root=tmp_path, backend=backend, attempts=1)
    assert not result.validated
    assert "undefined name(s) in shop.py: cart_total (line 6)" in result.message
