"""Fuzzed LSP traffic against the real server: every request answered, server still serving."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lsp_fuzz import run_fuzz

SPEC = """[project]
name = "fuzz"

[[scenarios]]
name = "one"
acceptance = ["works"]
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "protosmith.toml").write_text(SPEC, encoding="utf-8")
    return tmp_path


async def test_fuzzed_messages_are_answered(workspace: Path) -> None:
    stats = await run_fuzz(400, workspace, seed=7, timeout_s=120)
    assert stats.sent == 400
    assert not stats.unanswered, f"unanswered requests: {stats.unanswered[:10]}"
    assert stats.answered == stats.requests > 0


@pytest.mark.stress
@pytest.mark.skipif(
    not os.environ.get("PROTOSMITH_STRESS"), reason="full count runs in make stress"
)
async def test_fuzz_full_count(workspace: Path) -> None:
    for seed in range(5):
        stats = await run_fuzz(2000, workspace, seed=seed, timeout_s=170)
        assert not stats.unanswered
    shutil.rmtree(workspace / ".protosmith", ignore_errors=True)
