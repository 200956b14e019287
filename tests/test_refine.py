"""Refinement engine: global rename from the import graph, LLM edits validated before use."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from protosmith.analysis.impact import build_import_graph
from protosmith.llm.scripted import ScriptedBackend
from protosmith.services.refine import refine

FIXTURE = Path(__file__).parent / "workspaces" / "refine" / "rename_app"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURE, root)
    return root


def test_import_graph(app: Path) -> None:
    graph = build_import_graph(app)
    assert graph.imports["app.cart"] == {"app.pricing"}
    assert "app.pricing" in graph.imports["app.invoice"]
    assert graph.dependants("app.pricing") == {"app.cart", "app.invoice"}


async def test_global_rename_across_three_modules(app: Path) -> None:
    result = await refine(
        app / "app", "rename compute_total to grand_total", root=app, backend=None
    )
    assert result.validated, result.message
    changed = {Path(p).name for p in result.files}
    assert changed == {"pricing.py", "cart.py", "invoice.py"}
    assert "unrelated.py" not in result.diff
    cart = next(e for e in result.edits if e.path.endswith("cart.py")).new_text
    assert "from app.pricing import grand_total" in cart
    assert "return grand_total(items)" in cart
    assert "the word compute_total in this docstring stays" in cart
    invoice = next(e for e in result.edits if e.path.endswith("invoice.py")).new_text
    assert "pricing.grand_total(items)" in invoice
    history = (app / ".protosmith" / "refinements.jsonl").read_text().splitlines()
    assert json.loads(history[-1])["validated"] is True


async def test_llm_edit_validated_and_broken_edit_rejected(app: Path) -> None:
    target = app / "app" / "pricing.py"
    good = target.read_text().replace("return sum(items)", "return float(sum(items))")
    broken = "def compute_total(items:\n"
    backend = ScriptedBackend(
        [
            json.dumps({"files": [{"path": "app/pricing.py", "content": broken}]}),
            json.dumps({"files": [{"path": "app/pricing.py", "content": good}], "summary": "ok"}),
        ]
    )
    result = await refine(target, "return a float", root=app, backend=backend)
    assert result.validated, result.message
    assert "float(sum(items))" in result.diff
    # The rejected attempt's reason went back to the model.
    assert "does not parse" in backend.requests[1].messages[-1].content


async def test_edit_outside_given_files_is_refused(app: Path) -> None:
    target = app / "app" / "pricing.py"
    escape = json.dumps({"files": [{"path": "../evil.py", "content": "x = 1\n"}]})
    backend = ScriptedBackend([escape, escape, escape])
    result = await refine(target, "do something", root=app, backend=backend)
    assert not result.validated
    assert not (app.parent / "evil.py").exists()


def test_refine_cli_prints_diff_then_applies(app: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "protosmith",
        "refine",
        "app",
        "--instruction",
        "rename compute_total to grand_total",
    ]
    shown = subprocess.run(command, cwd=app, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "+def grand_total" in shown.stdout
    assert "compute_total" in (app / "app" / "pricing.py").read_text()
    applied = subprocess.run(
        [*command, "--apply"], cwd=app, capture_output=True, text=True, timeout=60
    )
    assert applied.returncode == 0, applied.stderr
    assert "def grand_total" in (app / "app" / "pricing.py").read_text()


async def test_scripted_team_refines_through_the_engine(app: Path) -> None:
    from scripted_team import Team

    target = app / "app" / "cart.py"
    backend = ScriptedBackend(function=Team().reply)
    result = await refine(target, "explain the total", root=app, backend=backend)
    assert result.validated, result.message
    assert "+# refined: explain the total" in result.diff
    assert [request.agent for request in backend.requests] == ["refine"]


async def test_the_callers_settings_bound_each_reply(app: Path) -> None:
    from protosmith.settings import Settings
    from scripted_team import Team

    target = app / "app" / "cart.py"
    backend = ScriptedBackend(function=Team().reply)
    settings = Settings(max_tokens=777)
    result = await refine(target, "explain the total", root=app, backend=backend, settings=settings)
    assert result.validated, result.message
    assert [request.max_tokens for request in backend.requests] == [777]
