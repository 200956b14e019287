"""``protosmith review`` from the command line: formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WORKSPACE = Path(__file__).parent / "workspaces" / "review"


def protosmith(*args: str, cwd: Path = WORKSPACE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "protosmith", "review", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_critical_finding_fails_by_default_and_json_lists_everything() -> None:
    done = protosmith("app", "--no-llm", "--format", "json")
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) >= {"findings", "files", "notes", "risk_level"}
    assert payload["risk_level"] == "CRITICAL"
    assert payload["files"] == ["app/clean.py", "app/views.py"]
    codes = {(f["code"], f["active"]) for f in payload["findings"]}
    assert ("PS301", True) in codes
    assert ("PS302", False) in codes, "suppressed findings stay in JSON, flagged"
    unconfirmed = [f for f in payload["findings"] if f["tier"] == "unconfirmed"]
    assert unconfirmed and all(f["active"] and f["precision"] == "low" for f in unconfirmed)


def test_fail_on_levels() -> None:
    assert protosmith("app/views.py", "--no-llm", "--fail-on", "none").returncode == 0
    assert protosmith("app/clean.py", "--no-llm", "--fail-on", "minor").returncode == 0
    assert protosmith("perf", "--no-llm", "--fail-on", "major").returncode == 1
    assert protosmith("perf", "--no-llm").returncode == 0


def test_text_and_sarif_output() -> None:
    text = protosmith("app/views.py", "--no-llm")
    assert "app/views.py:16:" in text.stdout and "PS301" in text.stdout
    assert "security risk CRITICAL" in text.stdout
    assert "\033[" not in text.stdout, "no colour when stdout is not a terminal"
    sarif = json.loads(protosmith("app/views.py", "--no-llm", "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"


def test_missing_path_is_usage_error(tmp_path: Path) -> None:
    done = protosmith("does-not-exist.py", "--no-llm", cwd=tmp_path)
    assert done.returncode == 2
    assert "no such file" in done.stderr
