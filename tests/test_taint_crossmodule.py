"""Taint flows that cross modules of the reviewed tree: handler in one file, sink in another."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protosmith.analysis.python_review import analyze_python
from protosmith.analysis.review import review_source
from protosmith.services.review import review

WORKSPACE = Path(__file__).parent / "workspaces" / "review_crossmodule"


def _taint(findings) -> set[tuple[str, int, str]]:
    return {
        (f.path, f.range.start.line + 1, f.code)
        for f in findings
        if f.evidence.source == "taint" and f.active
    }


async def test_flows_into_other_modules_are_reported_at_the_call() -> None:
    result = await review([WORKSPACE], root=WORKSPACE)
    assert _taint(result.findings) == {
        ("app/views.py", 12, "PS301"),  # absolute import, SQL built in app/db.py
        ("app/views.py", 22, "PS305"),  # relative import, open() in app/files.py
        ("app/views.py", 27, "PS302"),  # `from . import shell`, shell=True in app/shell.py
        ("flat/handler.py", 7, "PS301"),  # sibling module in a flat layout
        ("services/api.py", 16, "PS301"),  # methods: see the test below
        ("services/api.py", 26, "PS301"),
        ("services/api.py", 32, "PS301"),
        ("services/api.py", 38, "PS301"),
        ("services/factory_views.py", 11, "PS301"),  # factories: see the test below
        ("services/factory_views.py", 17, "PS301"),
        ("services/factory_views.py", 27, "PS301"),
    }
    (sqli,) = [f for f in result.findings if f.path == "app/views.py" and f.code == "PS301"]
    assert "find_user() (app/db.py:10)" in sqli.message
    sink = [r for r in sqli.related if r.path == "app/db.py"]
    assert sink and sink[0].range.start.line == 9
    assert any(r.path == "app/views.py" and r.range.start.line == 11 for r in sqli.related)


async def test_safe_callee_is_not_flagged_and_helpers_sanitize() -> None:
    result = await review([WORKSPACE / "app" / "views.py"], root=WORKSPACE)
    lines = {line for path, line, _ in _taint(result.findings) if path == "app/views.py"}
    assert 17 not in lines  # find_user_safe uses a parameterized query
    assert 32 not in lines  # a literal argument
    # The safe callee's clean result is not taint passed through either (no XSS on its rows).
    assert not [f for f in result.findings if f.code == "PS307" and f.range.start.line == 16]


def test_editor_buffer_review_follows_imports() -> None:
    views = WORKSPACE / "app" / "views.py"
    findings = review_source(views, views.read_text(), root=WORKSPACE)
    assert ("app/views.py", 12, "PS301") in _taint(findings)


def test_module_alone_does_not_invent_the_flow() -> None:
    text = (WORKSPACE / "app" / "views.py").read_text()
    assert not [f for f in analyze_python("app/views.py", text) if f.code in ("PS301", "PS302")]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


HANDLER = """from flask import request

from helper import run


def view():
    return run(request.args["cmd"])
"""
SINK = """import os


def run(command):
    return os.system(command)
"""


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_modules_outside_the_workspace_are_never_read(tmp_path: Path) -> None:
    root, outside = tmp_path / "ws", tmp_path / "outside"
    _write(root / "views.py", HANDLER)
    _write(outside / "helper.py", SINK)
    (root / "helper.py").symlink_to(outside / "helper.py")
    assert not _taint(analyze_python("views.py", HANDLER, root))
    (root / "helper.py").unlink()
    _write(root / "helper.py", SINK)
    assert _taint(analyze_python("views.py", HANDLER, root)) == {("views.py", 7, "PS302")}


def test_mutually_importing_modules_terminate(tmp_path: Path) -> None:
    _write(
        tmp_path / "a.py",
        "from flask import request\nfrom b import relay\n\n\ndef view():\n"
        "    return relay(request.args['q'], 3)\n\n\ndef execute(q, n):\n"
        "    import os\n    return os.system(q) if n == 0 else relay(q, n - 1)\n",
    )
    _write(
        tmp_path / "b.py",
        "from a import execute\n\n\ndef relay(q, n):\n    return execute(q, n)\n",
    )
    text = (tmp_path / "a.py").read_text()
    found = _taint(analyze_python("a.py", text, tmp_path))
    assert ("a.py", 6, "PS302") in found


async def test_methods_of_known_instances_across_modules() -> None:
    result = await review([WORKSPACE / "services"], root=WORKSPACE)
    assert _taint(result.findings) == {
        ("services/api.py", 16, "PS301"),  # parameter annotated with the class (FastAPI Depends)
        ("services/api.py", 26, "PS301"),  # a module-level instance
        ("services/api.py", 32, "PS301"),  # a local instance
        ("services/api.py", 38, "PS301"),  # a service whose __init__ keeps the repository
        ("services/factory_views.py", 11, "PS301"),
        ("services/factory_views.py", 17, "PS301"),
        ("services/factory_views.py", 27, "PS301"),
    }  # lines 21 and 44 reach only the parameterized search_safe: not flagged
    (first,) = [f for f in result.findings if f.range.start.line == 15 and f.code == "PS301"]
    assert "Repository.search() (services/repository.py:9)" in first.message
    (chained,) = [f for f in result.findings if f.range.start.line == 37 and f.code == "PS301"]
    assert "OrderService.lookup() (services/orders.py:9)" in chained.message


async def test_factories_and_source_helpers_in_other_modules() -> None:
    result = await review([WORKSPACE / "services" / "factory_views.py"], root=WORKSPACE)
    assert _taint(result.findings) == {
        ("services/factory_views.py", 11, "PS301"),  # make_repository().search(q): annotated
        ("services/factory_views.py", 17, "PS301"),  # repo = open_repository(): returns the class
        ("services/factory_views.py", 27, "PS301"),  # term = search_term(): returns request data
    }  # 22 reaches search_safe; 31's helper returns int(...), which cannot inject SQL
    (helper,) = [f for f in result.findings if f.range.start.line == 26 and f.code == "PS301"]
    assert "returned by search_term() in services/params.py" in helper.message


def test_same_module_factories(tmp_path: Path) -> None:
    text = (
        "import sqlite3\n\nfrom flask import request\n\n\nclass Store:\n"
        "    def find(self, name):\n"
        "        return sqlite3.connect('x').execute('SELECT %s' % name)\n\n\n"
        "def store():\n    return Store()\n\n\n"
        "def view():\n    return store().find(request.args['n'])\n"
    )
    findings = analyze_python("app.py", text, tmp_path)
    # Same-module flows are reported at the sink, naming the call that leads there.
    assert _taint(findings) == {("app.py", 8, "PS301")}
    assert "line 16" in next(f.message for f in findings if f.code == "PS301")


SAME_MODULE = """import sqlite3

from flask import request


class Store:
    def __init__(self):
        self.db = sqlite3.connect("x.db")

    def find(self, name):
        return self.db.execute("SELECT * FROM t WHERE n = '%s'" % name).fetchall()

    def find_safe(self, name):
        return self.db.execute("SELECT * FROM t WHERE n = ?", (name,)).fetchall()


store = Store()


def view():
    return str(store.find(request.args["n"]))


def view_safe():
    return str(store.find_safe(request.args["n"]))
"""


def test_methods_of_same_module_instances() -> None:
    findings = [f for f in analyze_python("store.py", SAME_MODULE) if f.evidence.source == "taint"]
    sqli = [f for f in findings if f.code == "PS301"]
    assert [f.range.start.line + 1 for f in sqli] == [11]  # the sink, reached from view()
    assert "find() called at line 21" in sqli[0].message  # not from view_safe() (line 25)
