"""The layout, the test output a repair sees, code-reply validation and the sandbox copy."""

from __future__ import annotations

from pathlib import Path

from protosmith.agents.models import (
    ArchitectureRecord,
    ComponentSpec,
    GeneratedFile,
)
from protosmith.agents.validation import code_problems
from protosmith.execution.api import TestCase as Case
from protosmith.execution.api import TestRunResult as RunResult
from protosmith.execution.sandbox import copy_tree
from protosmith.pipeline.feedback import digest, normalise
from protosmith.pipeline.layout import Layout


def _record() -> ArchitectureRecord:
    return ArchitectureRecord(
        components=[
            ComponentSpec(name="storage", language="python"),
            ComponentSpec(name="service", language="python", depends_on=["storage"]),
            ComponentSpec(name="api", language="python", depends_on=["service", "storage"]),
            ComponentSpec(name="web", language="javascript", depends_on=["api"]),
        ]
    )


def test_python_components_form_one_package_tree() -> None:
    layout = Layout("Short URL", _record())
    assert layout.folder("service") == "short_url/service"
    assert layout.place("storage").module == "short_url.storage"
    view = layout.view("api")
    assert view.select == ["short_url/api"] and view.workdir == ""
    assert {
        "short_url/__init__.py",
        "short_url/api",
        "short_url/service",
        "short_url/storage",
    } <= set(view.include)
    guide = layout.import_guide("service")
    assert "`from short_url.storage import <names" in guide
    assert "python -m pytest short_url/service" in guide
    # The JavaScript component imports no Python sibling: cross-language goes over contracts.
    assert layout.closure("web") == [] and layout.view("web").workdir == "web"


def test_a_cross_language_dependency_is_reached_through_its_contract() -> None:
    # Seen in a relay run: a JavaScript client of a Python API, told nothing about it, spawned
    # the Python service from its tests and main.js; neither can work in its sandbox.
    layout = Layout("Pollster", _record())
    guide = layout.import_guide("web")
    assert layout.other_language_deps("web") == ["api"]
    assert "api is a python component: it cannot be imported" in guide
    assert "stand-in" in guide and "never start or build api yourself" in guide
    assert "is a python component" not in layout.import_guide("service")


def test_test_output_is_deduplicated_and_stable() -> None:
    line = "E   ModuleNotFoundError: No module named 'shorturl'"
    output = "\n".join(
        ["rootdir: /tmp/protosmith-run-ab12cd/project", *[line] * 640, "== 3 failed in 0.42s =="]
    )
    first = RunResult(
        language="python",
        status="failed",
        failed=3,
        cases=[
            Case(name=f"test_{i}", outcome="failed", message=f"{line} at 0x7f3a2b1c9d40")
            for i in range(3)
        ],
        output=output,
    )
    text = digest(first)
    assert text.count("ModuleNotFoundError") == 2  # once in the cases, once in the output
    assert "[repeated 640 times]" in text and "(and 2 more test(s) with the same error)" in text
    assert "protosmith-run" not in text and "0.42s" not in text and "0x7f3a" not in text
    other = first.model_copy(
        update={"output": output.replace("ab12cd", "zz99yy").replace("0.42s", "1.70s")}
    )
    assert digest(other) == text
    assert normalise("/tmp/pytest-of-root/pytest-12/test_a0/db.sqlite") == "<tmp>/test_a0/db.sqlite"


def _files(*pairs: tuple[str, str]) -> list[GeneratedFile]:
    return [GeneratedFile(path=path, content=content) for path, content in pairs]


def test_junk_code_replies_are_rejected_with_the_reason() -> None:
    junk = _files(("hello/hello", "hello"))
    assert any("extensions" in p for p in code_problems(junk, "python", tests=False))
    star = _files(("test_*.py", "def test_a():\n    assert True\n"))
    assert any("not a valid" in p for p in code_problems(star, "python", tests=True))
    broken = _files(("__init__.py", ""), ("store.py", "def f(:\n"))
    assert any("does not parse" in p for p in code_problems(broken, "python", tests=False))
    missing = _files(("store.py", "X = 1\n"))
    problems = code_problems(missing, "python", tests=False, require=("__init__.py",))
    assert problems == ["missing __init__.py: it must export the component's public interface"]
    no_tests = _files(("test_store.py", "import os\n"))
    assert code_problems(no_tests, "python", tests=True) == [
        "test_store.py defines no test (no `def test_...` function)"
    ]
    good = _files(("__init__.py", "from .store import X\n"), ("store.py", "X = 1\n"))
    assert code_problems(good, "python", tests=False, require=("__init__.py",)) == []
    assert (
        code_problems(
            _files(("test_store.py", "def test_x():\n    assert 1\n")), "python", tests=True
        )
        == []
    )


def test_sandbox_copy_skips_build_outputs_by_marker_only(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "target").mkdir(parents=True)
    (source / "target" / "__init__.py").write_text("X = 1\n")
    (source / "crate" / "target" / "debug").mkdir(parents=True)
    (source / "crate" / "Cargo.toml").write_text("[package]\nname='c'\n")
    (source / "crate" / "target" / "debug" / "out").write_text("binary")
    (source / "app" / "bin").mkdir(parents=True)
    (source / "app" / "app.csproj").write_text("<Project/>")
    (source / "app" / "bin" / "app.dll").write_text("binary")
    (source / "venv" / "lib").mkdir(parents=True)
    (source / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (source / "bin").mkdir()
    (source / "bin" / "tool.py").write_text("print(1)\n")
    copy = copy_tree(source, tmp_path / "copy")
    assert (copy / "target" / "__init__.py").is_file()  # a Python package named target
    assert (copy / "bin" / "tool.py").is_file()
    assert not (copy / "crate" / "target").exists() and (copy / "crate" / "Cargo.toml").is_file()
    assert not (copy / "app" / "bin").exists()
    assert not (copy / "venv").exists()
    only = copy_tree(source, tmp_path / "only", include=["target", "missing"])
    assert sorted(p.name for p in only.iterdir()) == ["target"]


def test_an_example_in_a_doc_comment_is_no_stub_body() -> None:
    """A strong model's server.js documented ``POST /formatnote {"note": {...}}``: not a stub."""
    from protosmith.agents.common import find_placeholders

    documented = '/**\n * POST /formatnote {"note": {...}} -> 200\n */\nconst port = 1;\n'
    assert find_placeholders(documented) == []
    assert find_placeholders('def f():\n    """Example: {...}"""\n    return 1\n') == []
    assert find_placeholders("function f() { ... }\n") == ["an '...' body"]
    assert find_placeholders("def f():\n    ...\n") == ["an '...' body"]


def test_docs_escape_pipes_and_keep_one_components_section() -> None:
    from protosmith.agents.documentation import ComponentDoc, render_docs
    from protosmith.agents.models import DocsDraft, InterfaceSpec
    from protosmith.spec.model import Spec

    spec = Spec.model_validate(
        {
            "project": {"name": "shorturl", "languages": ["python"]},
            "scenarios": [{"name": "s", "description": "d", "acceptance": ["a"]}],
        }
    )
    operation = InterfaceSpec(name="expires", signature="def expires(self) -> datetime | None")
    doc = ComponentDoc(
        name="storage",
        language="python",
        summary="Stores links.",
        interface="class Store: ...",
        status="passed",
        operations=[operation],
        location="shorturl/storage",
        module="shorturl.storage",
        test_command="python -m pytest -q shorturl/storage",
        run_status="A library: service imports it.",
    )
    draft = DocsDraft(
        readme="Overview text.\n\n## Components\n\n- storage\n\n## How it works\n\nLayers.",
        deployment="Deploy it.",
    )
    docs = render_docs(spec, _record(), [doc], draft)
    assert docs.readme.count("## Components") == 1
    assert "## How it works" in docs.readme and "- storage\n" not in docs.readme
    assert "python -m pytest -q shorturl/storage" in docs.readme
    assert "`def expires(self) -> datetime \\| None`" in docs.api
