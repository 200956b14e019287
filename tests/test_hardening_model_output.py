"""Bad model output against the whole pipeline: truncated, not JSON, wrong shape, enormous,
control characters, hostile file paths and symlink tricks.

Each run must retry within its bounds, refuse unsafe paths (journaled, nothing written
outside the output folder: the filesystem is checked), and either succeed or fail cleanly
with a journal a resumed run completes from. ``generate`` never raises: every failure is a
summary, and "internal error" (an unexpected exception at the service boundary) is a bug.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hardening_support import (
    FAULT_KINDS,
    HOSTILE_PATHS,
    Fault,
    FaultyTeam,
    Tally,
    count,
    journal_events,
    make_workspace,
    output_files,
    run_generate,
    temp_files,
    tree_outside,
)
from protosmith.llm.scripted import ScriptedBackend
from protosmith.llm.structured import MAX_CONTINUATIONS
from protosmith.pipeline.api import RunSummary
from scripted_team import Team

CLEAN_CALLS = 5
"""A clean run of the hello spec: architecture, interface, implementation, tests, docs."""
ATTEMPTS = max(3, 1 + MAX_CONTINUATIONS)
"""The scripted backend gets ``retries=2``: at most three attempts per structured request, or
one reply and its continuations when every reply is cut off (then it fails, never re-asks)."""
CALL_BOUND = ATTEMPTS * CLEAN_CALLS + ATTEMPTS
SOURCES = ("hello/hello/hello.py", "hello/hello/test_hello.py")
TALLY = Tally()
_REFERENCE: dict[str, bytes] = {}


async def _reference() -> dict[str, bytes]:
    """The output of an uninterrupted clean run (computed once per session)."""
    if not _REFERENCE:
        with tempfile.TemporaryDirectory() as folder:
            spec = make_workspace(Path(folder))
            summary = await run_generate(spec, ScriptedBackend(function=Team().reply))
            assert summary.status == "succeeded", summary.message
            _REFERENCE.update(output_files(spec.parent))
    return _REFERENCE


def _asked(backend: ScriptedBackend) -> int:
    """Requests that ask for a reply (with a schema); continuations of a cut-off reply are
    part of the same reply, bounded by the structured layer on its own."""
    return sum(1 for request in backend.requests if request.json_schema is not None)


def _booby_trap(root: Path) -> tuple[Path, Path]:
    """An ``outside`` folder next to the workspace, and symlinks into it from the output folder."""
    outside = root / "outside"
    outside.mkdir()
    target = outside / "target.py"
    target.write_text("original\n", encoding="utf-8")
    component = root / "ws" / "prototype" / "hello" / "hello"
    component.mkdir(parents=True)
    (component / "link").symlink_to(outside, target_is_directory=True)
    (component / "evil.py").symlink_to(target)
    return outside, target


def _passwd() -> tuple[int, int] | None:
    try:
        stat = os.stat("/etc/passwd")
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _check_clean(
    root: Path, spec: Path, summary: RunSummary, before: dict[str, tuple[str, bytes]]
) -> None:
    """The invariants every run keeps, whatever the model said."""
    workspace = spec.parent
    assert not summary.message.startswith("internal error"), summary.message
    assert summary.status in ("succeeded", "partial", "failed"), summary
    assert tree_outside(root, workspace) == before, "something was written outside the output"
    assert not temp_files(root), temp_files(root)
    output = (workspace / "prototype").resolve()
    for path in (workspace / "prototype").rglob("*"):
        if path.is_symlink():
            assert path.name in ("link", "evil.py"), f"the run created a symlink {path}"
            continue
        assert path.resolve().is_relative_to(output)
        assert "\x00" not in path.name and ".." not in path.relative_to(workspace).parts
    events = journal_events(workspace, summary.run_id)
    assert events and events[-1]["kind"] == "run_finished"


async def _resume_to_the_reference(
    spec: Path, summary: RunSummary, settings: dict[str, int] | None = None
) -> RunSummary:
    """A failed or partial run resumes with a good model and ends with the reference sources."""
    backend = ScriptedBackend(function=Team().reply)
    resumed = await run_generate(spec, backend, resume=summary.run_id, settings=settings)
    assert resumed.status == "succeeded", resumed.message
    assert resumed.run_id == summary.run_id
    files = output_files(spec.parent)
    reference = await _reference()
    for name in SOURCES:
        assert files.get(name) == reference[name], name
    return resumed


_paths = st.one_of(st.sampled_from(HOSTILE_PATHS), st.text(min_size=1, max_size=24))
_faults = st.builds(
    Fault,
    kind=st.sampled_from(FAULT_KINDS),
    text=st.text(max_size=40),
    cut=st.integers(min_value=0, max_value=20_000),
    paths=st.lists(_paths, min_size=1, max_size=4).map(tuple),
)


@given(schedule=st.dictionaries(st.integers(min_value=0, max_value=9), _faults, max_size=6))
@settings(
    max_examples=count(8, 250),
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_generated_bad_replies_never_escape_or_crash(
    schedule: dict[int, Fault], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("bad-output")
    spec = make_workspace(root)
    _, target = _booby_trap(root)
    before, passwd = tree_outside(root, spec.parent), _passwd()
    team = FaultyTeam(schedule)
    backend = ScriptedBackend(function=team.reply)
    summary = asyncio.run(run_generate(spec, backend))
    TALLY.add("runs")
    TALLY.add("bad_outputs", len(team.served))
    TALLY.add("hostile_paths", team.hostile_paths_sent)
    _check_clean(root, spec, summary, before)
    assert _asked(backend) <= CALL_BOUND, _asked(backend)
    assert target.read_text(encoding="utf-8") == "original\n"
    assert _passwd() == passwd
    if summary.status != "succeeded":
        asyncio.run(_resume_to_the_reference(spec, summary))
        TALLY.add("resumed")


async def test_every_hostile_path_is_refused_and_journaled(tmp_path: Path) -> None:
    spec = make_workspace(tmp_path)
    _, target = _booby_trap(tmp_path)
    before, passwd = tree_outside(tmp_path, spec.parent), _passwd()
    absolute = str(tmp_path / "outside" / "absolute.py")
    paths = (*(p for p in HOSTILE_PATHS if p), absolute)
    # One implementation reply carries every hostile path (after the real file).
    team = FaultyTeam({2: Fault("hostile_paths", paths=paths)})
    backend = ScriptedBackend(function=team.reply)
    summary = await run_generate(spec, backend)
    assert summary.status == "succeeded", summary.message
    _check_clean(tmp_path, spec, summary, before)
    refused = [e for e in journal_events(spec.parent, summary.run_id) if e["kind"] == "unsafe_path"]
    assert sorted(e["path"] for e in refused) == sorted(paths)
    assert all(e["severity"] == "critical" and e["message"] for e in refused)
    manifest = json.loads(
        (spec.parent / ".protosmith" / "runs" / summary.run_id / "manifest.json").read_text()
    )
    assert len(manifest["refused_paths"]) == len(paths)
    assert not any(b"escaped" in data for data in output_files(spec.parent).values())
    assert target.read_text(encoding="utf-8") == "original\n"
    assert not Path(absolute).exists() and _passwd() == passwd
    reference = await _reference()
    assert output_files(spec.parent)["hello/hello/hello.py"] == reference["hello/hello/hello.py"]
    TALLY.add("hostile_paths", len(paths))


@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_a_model_that_is_always_wrong_fails_cleanly_and_resumes(
    kind: str, tmp_path: Path
) -> None:
    spec = make_workspace(tmp_path)
    before = tree_outside(tmp_path, spec.parent)
    fault = Fault(kind, text="not json at all", cut=17, paths=("../../x.py",))
    team = FaultyTeam({index: fault for index in range(200)})
    backend = ScriptedBackend(function=team.reply)
    summary = await run_generate(spec, backend)
    _check_clean(tmp_path, spec, summary, before)
    assert _asked(backend) <= CALL_BOUND
    TALLY.add("bad_outputs", len(team.served))
    if kind == "hostile_paths":
        # The real files are still written; only the hostile ones are refused.
        assert summary.status == "succeeded"
        return
    assert summary.status == "failed" or kind == "backend_error", summary
    # A cut-off reply is cached like any reply (a re-run replays it and its continuation
    # instead of asking again); at the same limit it would be cut again, so the resume that
    # fixes it raises the completion limit.
    settings = {"max_tokens": 4096} if kind == "truncated" else None
    await _resume_to_the_reference(spec, summary, settings)


async def test_output_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    spec = make_workspace(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (spec.parent / "prototype").symlink_to(outside, target_is_directory=True)
    summary = await run_generate(spec, ScriptedBackend(function=Team().reply))
    assert summary.status == "failed"
    assert "outside the workspace" in summary.message
    assert not list(outside.iterdir())


def test_zz_report_counts() -> None:
    """Print what the hardening runs tried (``pytest -s`` shows it; the report sums it)."""
    print(TALLY.line("model output"))
    assert TALLY.counts.get("runs", 0) >= 1 or not TALLY.counts


ODD_BUT_VALID = (
    "def f(a=1, /, b=2):\n    return a + b\n",
    "def g(a, b=1, /, *, c):\n    return a\n",
    "lambda_ = lambda x=1, /: x\n",
    "class C:\n    def m(self, x=0, /):\n        return x\n",
    "async def h(*args, **kwargs):\n    return [a async for a in args]\n",
    "match x:\n    case {'k': v, **rest}:\n        pass\n",
    "x = '\\x00\\x1b' + \"\u202e\"\n",
)


@pytest.mark.parametrize("source", ODD_BUT_VALID)
async def test_generated_code_with_odd_syntax_is_reviewed_without_crashing(
    source: str, tmp_path: Path
) -> None:
    """Generated code goes through review; valid Python of any shape must not crash it."""
    from protosmith.services.review import review

    (tmp_path / "odd.py").write_text(source, encoding="utf-8")
    result = await review([tmp_path], root=tmp_path)
    assert result.files == ["odd.py"]
