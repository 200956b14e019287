"""End to end with what a strong model really wrote, over real HTTP, with default settings.

The replies in ``fixtures/recorded/shorturl`` were written by a strong coding model answering
``protosmith generate`` through the relay, from the prompts alone, for a 3-component spec (a
URL shortener: SQLite storage, a service, an HTTP API). Modules are 2k-6k tokens and import
their siblings for real; the first storage implementation carries a planted logic bug (codes
compared case-insensitively) that its tests catch. The loopback server cuts replies at the
request's ``max_tokens`` as a real endpoint does, so the defaults must fit real modules.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from hardening_support import run_generate
from protosmith.execution.toolchains import missing
from protosmith.pipeline.journal import Journal
from recorded_replies import Recording, serve

pytestmark = pytest.mark.skipif(bool(missing("python")), reason="python toolchain missing")

COMPONENTS = ("storage", "service", "api")


def _workspace(tmp_path: Path, recording: Recording, rounds: int | None = None) -> Path:
    spec = tmp_path / "protosmith.toml"
    text = recording.spec.read_text(encoding="utf-8")
    if rounds is not None:
        text = text.replace("max_repair_rounds = 2", f"max_repair_rounds = {rounds}")
    spec.write_text(text, encoding="utf-8")
    return spec


def _defaults(monkeypatch: pytest.MonkeyPatch, base_url: str) -> dict[str, str]:
    """Only the endpoint and the key, as a user would give them."""
    for name in ("PROTOSMITH_MAX_TOKENS", "PROTOSMITH_MAX_CONTEXT_TOKENS", "PROTOSMITH_MODEL"):
        monkeypatch.delenv(name, raising=False)
    # Not a word a reply may hold: the journal and the cache redact the key wherever it appears.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0a9f3c")
    return {"backend": "openai", "base_url": base_url, "model": "strong-coder"}


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@dataclass(frozen=True)
class Expected:
    """What a recording must produce."""

    name: str
    package: str
    components: tuple[str, ...]
    sibling_import: tuple[str, str]
    """A file of a dependant and the import of its real dependency it must hold."""
    run: str
    repaired: str
    """The component whose first implementation carries the planted bug."""


RECORDINGS = (
    Expected(
        "shorturl",
        "shorturl",
        COMPONENTS,
        ("shorturl/service/service.py", "from shorturl.storage import"),
        "python -m shorturl.api",
        "storage",
    ),
    Expected(
        "stockkeeper",
        "stockkeeper",
        ("store", "stock", "cli"),
        ("stockkeeper/stock/service.py", "from stockkeeper.store import"),
        "python -m stockkeeper.cli",
        "store",
    ),
)


@pytest.mark.parametrize("expected", RECORDINGS, ids=lambda e: e.name)
async def test_strong_model_replies_build_a_working_prototype(
    expected: Expected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = Recording.load(expected.name)
    spec = _workspace(tmp_path, recording)
    with serve(recording) as server:
        settings = _defaults(monkeypatch, server.base_url)
        summary = await run_generate(spec, None, settings=settings, run_tests=True, review=False)
        assert summary.status == "succeeded", summary.message
        by_name = {c.name: c for c in summary.components}
        assert set(by_name) == set(expected.components)
        assert all(c.status == "passed" for c in by_name.values()), summary.message
        # The planted bug was caught by the component's tests and repaired by the loop.
        assert by_name[expected.repaired].repair_rounds == 1
        assert summary.tests.failed == 0 and summary.tests.passed == summary.tests.ran > 100
        out = tmp_path / "prototype"
        # One importable tree: a dependant imports the real dependency package.
        path, line = expected.sibling_import
        assert line in (out / path).read_text()
        assert (out / expected.package / "__init__.py").is_file()
        # The README's commands are the layout's, and the run command passed the smoke run.
        readme = (out / "README.md").read_text()
        assert readme.count("## Components") == 1
        first = expected.components[0]
        assert f"python -m pytest -q {expected.package}/{first}" in readme
        assert expected.run in readme and "smoke run" in readme
        assert "no code was generated" not in readme
        events = Journal.open(tmp_path, summary.run_id).events()
        tree = [e for e in events if e["kind"] == "integration_tree"]
        assert tree and tree[-1]["status"] == "passed"
        entry = expected.components[-1]
        assert tree[-1]["report"]["commands"][entry]["status"] == "passed"
        repairs = [e for e in events if e["kind"] == "repair_round"]
        assert [(e["component"], e["culprit"]) for e in repairs] == [
            (expected.repaired, "implementation")
        ]
        # Prompts carry no sandbox path, timing or address: nothing random reaches the model.
        prompts = [r.body for r in server.completion_requests]
        text = "\n".join(m["content"] for body in prompts for m in body["messages"])
        assert "protosmith-run-" not in text and "/tmp/pytest-of-" not in text
        before = _tree(out)
        calls = len(server.completion_requests)

        # An unchanged re-run: no request, no file rewritten (repairs are kept).
        again = await run_generate(spec, None, settings=settings, run_tests=True, review=False)
        assert again.status == "succeeded", again.message
        assert again.llm_calls == 0 and len(server.completion_requests) == calls
        assert _tree(out) == before


async def test_a_rerun_after_a_failed_run_asks_nothing_and_keeps_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = Recording.load("shorturl")
    spec = _workspace(tmp_path, recording, rounds=0)
    with serve(recording) as server:
        settings = _defaults(monkeypatch, server.base_url)
        first = await run_generate(spec, None, settings=settings, run_tests=True, review=False)
        by_name = {c.name: c for c in first.components}
        # No repair round allowed: the planted bug stays, and the run does not succeed.
        assert by_name["storage"].status == "failed", first.message
        assert first.status != "succeeded"
        out = tmp_path / "prototype"
        store = (out / "shorturl/storage/store.py").read_text()
        assert "COLLATE NOCASE" in store
        before = _tree(out)
        calls = len(server.completion_requests)
        again = await run_generate(spec, None, settings=settings, run_tests=True, review=False)
        assert again.llm_calls == 0 and len(server.completion_requests) == calls
        assert {c.name: c.status for c in again.components} == {
            c.name: c.status for c in first.components
        }
        assert _tree(out) == before


def test_the_recording_is_what_a_strong_model_writes() -> None:
    """The fixture is realistic: modules above 2048 tokens, real sibling imports."""
    recording = Recording.load("shorturl")
    assert Recording.load("stockkeeper").replies
    code = [r for r in recording.replies if r["schema"] == "ComponentCode"]
    assert {r["component"] for r in code} == set(COMPONENTS)
    assert max(len(r["text"]) for r in code) > 4 * 2048
    assert any("from shorturl.storage import" in r["text"] for r in code)
    assert shutil.which("python3") or shutil.which("python")
