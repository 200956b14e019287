"""Review beyond Python: eslint (installed by `protosmith tools install`), go vet and clippy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from protosmith.analysis import analyzers
from protosmith.analysis.findings import Category
from protosmith.report.doctor import collect
from protosmith.services.review import review
from protosmith.settings import Settings

WORKSPACE = Path(__file__).parent / "workspaces" / "review_polyglot"


def _has_clippy() -> bool:
    if shutil.which("cargo") is None:
        return False
    done = subprocess.run(["cargo", "clippy", "--version"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def js_analyzer() -> analyzers.JsAnalyzer:
    """The installed JavaScript analyzer; installed here if `make install` has not (needs npm)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node and npm are not installed: JavaScript review is LLM-only here")
    if analyzers.find_js_analyzer() is None:
        analyzers.install_js_analyzer()
    found = analyzers.find_js_analyzer()
    assert found is not None
    return found


def _snapshot(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


def _lines(findings, path: str, code: str) -> dict[int, tuple[int | None, str | None]]:
    return {
        f.range.start.line + 1: (f.cwe, f.evidence.rule_id)
        for f in findings
        if f.path == path and f.code == code
    }


async def test_javascript_and_typescript_security_findings(js_analyzer) -> None:
    before = _snapshot(WORKSPACE)
    result = await review([WORKSPACE / "web"], root=WORKSPACE)
    assert _lines(result.findings, "web/server.js", "PS391") == {
        6: (78, "security/detect-child-process"),
        10: (95, "security/detect-eval-with-expression"),  # no-eval on the same call is merged
        14: (22, "security/detect-non-literal-fs-filename"),
    }
    assert _lines(result.findings, "web/search.ts", "PS391") == {
        2: (1333, "security/detect-non-literal-regexp")
    }
    assert _lines(result.findings, "web/search.ts", "PS208") == {7: (None, "valid-typeof")}
    assert not [f for f in result.findings if f.path == "web/safe.js"]
    assert all(f.category == Category.SECURITY for f in result.findings if f.code == "PS391")
    assert "eslint" in result.findings[0].message
    assert not [n for n in result.notes if "javascript" in n]
    assert _snapshot(WORKSPACE) == before


async def test_without_the_analyzer_javascript_is_llm_only(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PROTOSMITH_TOOLS_DIR", str(tmp_path / "no-tools"))
    result = await review([WORKSPACE / "web"], root=WORKSPACE)
    assert not [f for f in result.findings if f.path.startswith("web/")]
    assert result.notes == [
        "javascript: LLM review only (eslint is not installed: run `protosmith tools install` "
        "(it needs node and npm))"
    ]


def test_stale_install_is_not_used(js_analyzer, monkeypatch, tmp_path) -> None:
    copy = tmp_path / "tools"
    shutil.copytree(analyzers.js_install_dir(), copy / "js-analyzer", symlinks=True)
    monkeypatch.setenv("PROTOSMITH_TOOLS_DIR", str(copy))
    assert analyzers.find_js_analyzer() is not None
    (copy / "js-analyzer" / analyzers.STAMP).write_text("an older lockfile\n")
    assert analyzers.find_js_analyzer() is None
    assert "protosmith tools install" in analyzers.js_analyzer_status()


@pytest.mark.skipif(shutil.which("go") is None, reason="Go is not installed")
async def test_go_vet_findings() -> None:
    before = _snapshot(WORKSPACE)
    result = await review([WORKSPACE / "svc"], root=WORKSPACE)
    (vet,) = [f for f in result.findings if f.path == "svc/main.go"]
    assert vet.code == "PS208" and vet.range.start.line == 6
    assert "wrong type" in vet.message and vet.evidence.source in ("go vet", "gosec")
    assert _snapshot(WORKSPACE) == before


@pytest.mark.skipif(not _has_clippy(), reason="cargo clippy is not installed")
async def test_clippy_findings_leave_the_crate_untouched() -> None:
    before = _snapshot(WORKSPACE)
    result = await review([WORKSPACE / "crate"], root=WORKSPACE)
    found = _lines(result.findings, "crate/src/lib.rs", "PS208")
    assert found == {2: (None, "clippy::needless_return"), 6: (None, "clippy::eq_op")}
    assert _snapshot(WORKSPACE) == before  # no Cargo.lock, no target/


def test_tools_cli_and_doctor_report_the_analyzer(js_analyzer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "protosmith", "tools", "status"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "eslint + eslint-plugin-security" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "protosmith", "tools", "install"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "ready" in done.stdout  # already current: nothing to do
    report = collect(Settings(backend="openai", base_url="http://127.0.0.1:9/v1"))
    assert "eslint" in report.analyzers["javascript/typescript"]
    assert set(report.analyzers) == {"javascript/typescript", "go", "rust"}
    assert json.loads(report.model_dump_json())["analyzers"]
