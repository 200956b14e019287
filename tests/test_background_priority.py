"""Background work from the editor: the isolated review child and its lowered CPU priority."""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from protosmith.analysis.review import static_review
from protosmith.priority import (
    AUTOGROUP_ATTEMPTS,
    AUTOGROUP_RETRY_S,
    BACKGROUND_NICE,
    LOWEST,
    lower_priority_of,
)
from protosmith.services.isolated import static_review_in_child
from protosmith.services.review import review

WORKSPACE = Path(__file__).parent / "workspaces" / "review"


def _autogroup_nice(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/autogroup").read_text()
    except OSError:
        return None
    return int(text.split("nice")[1])


def _own_group_of(pid: int) -> bool:
    """Whether ``pid`` has a scheduling group of its own: a new session gets one only while
    ``kernel.sched_autogroup_enabled`` is on; otherwise it shares ours and is left alone."""
    try:
        theirs = Path(f"/proc/{pid}/autogroup").read_text().split()[:1]
        ours = Path("/proc/self/autogroup").read_text().split()[:1]  # empty: the default group
    except OSError:
        return False
    return bool(theirs) and theirs != ours


def _skip_unless_autogroup_writable(pid: int, nice: int) -> None:
    """Some containers forbid autogroup niceness outright; that is the platform, not a bug."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except PermissionError as error:
        pytest.skip(f"this machine refuses autogroup niceness: {error}")


@pytest.fixture
def session_child() -> Iterator[subprocess.Popen[bytes]]:
    """A sleeping child in a session (and so, on Linux, a scheduling group) of its own."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True
    )
    yield child
    child.kill()
    child.wait()


def _expect_autogroup_nice(pid: int, nice: int, failure: str) -> None:
    """Wait for the group's niceness, set at once or by a retry after the kernel's rate limit."""
    deadline = time.monotonic() + AUTOGROUP_ATTEMPTS * AUTOGROUP_RETRY_S + 1.0
    while _autogroup_nice(pid) != nice and time.monotonic() < deadline:
        time.sleep(0.02)
    if _autogroup_nice(pid) != nice:
        _skip_unless_autogroup_writable(pid, nice)
        pytest.fail(failure)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="no process priorities here")
def test_child_in_its_own_session_runs_below_the_parent(
    session_child: subprocess.Popen[bytes],
) -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(LOWEST, own + BACKGROUND_NICE)
    assert lower_priority_of(session_child.pid) == expected
    assert os.getpriority(os.PRIO_PROCESS, session_child.pid) == expected
    if _autogroup_nice(session_child.pid) is not None and _own_group_of(session_child.pid):
        # A new session is a new scheduling group on Linux: its niceness must follow.
        _expect_autogroup_nice(
            session_child.pid,
            expected,
            "the kernel accepts the autogroup niceness but it was not set",
        )


def test_a_rate_limited_autogroup_write_is_retried(
    monkeypatch: pytest.MonkeyPatch, session_child: subprocess.Popen[bytes]
) -> None:
    """Without CAP_SYS_ADMIN the kernel answers EAGAIN to a second change within 100 ms."""
    real_write = Path.write_text
    refusals = []

    def rate_limited(self: Path, data: str, *args: object, **kwargs: object) -> int:
        if self.name == "autogroup" and len(refusals) < 2:
            refusals.append(time.monotonic())
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real_write(self, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", rate_limited)
    expected = lower_priority_of(session_child.pid)
    if _autogroup_nice(session_child.pid) is None or not _own_group_of(session_child.pid):
        pytest.skip("no scheduling autogroups here (or they are switched off)")
    _expect_autogroup_nice(
        session_child.pid, expected or 0, "the autogroup niceness was not retried after EAGAIN"
    )
    assert len(refusals) == 2


def test_a_child_of_the_default_group_is_lowered(
    monkeypatch: pytest.MonkeyPatch, session_child: subprocess.Popen[bytes]
) -> None:
    """A process that never started a session (a CI job under a container's init) is in the
    machine's default group, whose autogroup file is empty; its new-session child is not."""
    real_read = Path.read_text

    def default_group(self: Path, *args: object, **kwargs: object) -> str:
        if str(self) == "/proc/self/autogroup":
            return ""
        return real_read(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", default_group)
    if _autogroup_nice(session_child.pid) is None:
        pytest.skip("no scheduling autogroups here")
    expected = lower_priority_of(session_child.pid)
    _expect_autogroup_nice(
        session_child.pid, expected or 0, "a child of the default group kept its group's niceness"
    )


def test_lowering_a_finished_process_is_harmless() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert lower_priority_of(child.pid) is None


async def test_isolated_review_matches_in_process_review() -> None:
    buffer = WORKSPACE / "app" / "clean.py"
    unsaved = (
        buffer.read_text() + "\nimport pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
    )
    sources = {buffer: unsaved}
    here = await static_review([WORKSPACE], root=WORKSPACE, sources=sources)
    there = await static_review_in_child([WORKSPACE], root=WORKSPACE, sources=sources)
    assert there.files == here.files
    assert [f.model_dump() for f in there.findings] == [f.model_dump() for f in here.findings]
    assert there.notes == here.notes and there.risk_level == here.risk_level
    # The unsaved buffer was reviewed, not the clean file on disk.
    assert any(f.path == "app/clean.py" for f in there.findings)
    through_service = await review([WORKSPACE], root=WORKSPACE, sources=sources, isolated=True)
    assert [f.code for f in through_service.findings] == [f.code for f in here.findings]


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc")
async def test_cancelled_isolated_review_leaves_no_process(tmp_path: Path) -> None:
    for index in range(60):  # enough work that the child is still busy when cancelled
        (tmp_path / f"m{index}.py").write_text((WORKSPACE / "app" / "views.py").read_text())
    before = _children_of(os.getpid())
    task = asyncio.ensure_future(static_review_in_child([tmp_path], root=tmp_path, sources={}))
    deadline = time.monotonic() + 10
    while not (_children_of(os.getpid()) - before) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert _children_of(os.getpid()) - before, "the review child never started"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (_children_of(os.getpid()) - before)


async def test_a_review_child_that_dies_is_reported(monkeypatch, tmp_path: Path) -> None:
    from protosmith.services.isolated import IsolatedReviewFailed

    monkeypatch.setenv("PYTHONHOME", str(tmp_path / "no-python-here"))  # the child cannot start
    with pytest.raises(IsolatedReviewFailed) as caught:
        await static_review_in_child([WORKSPACE], root=WORKSPACE, sources={})
    assert "exited with code" in str(caught.value)
    assert isinstance(caught.value, OSError)  # the language server reports OSErrors as failures


async def test_the_per_file_review_worker_matches_the_in_process_review() -> None:
    from protosmith.analysis.review import review_source
    from protosmith.services.source_worker import SourceReviewer

    buffer = WORKSPACE / "app" / "views.py"
    text = buffer.read_text()
    reviewer = SourceReviewer()
    try:
        there = await reviewer.review(buffer, text, WORKSPACE)
        again = await reviewer.review(buffer, text + "\n", WORKSPACE)  # the same worker, warm
    finally:
        reviewer.close()
    here = review_source(buffer, text, root=WORKSPACE)
    assert [f.model_dump() for f in there] == [f.model_dump() for f in here]
    assert {f.code for f in again} == {f.code for f in here}


def test_a_host_that_cannot_spawn_workers_reviews_in_process(tmp_path: Path) -> None:
    """A script read from stdin cannot be re-imported by a spawned worker: the review still
    runs (in a thread), after a logged error, instead of every save failing."""
    script = (
        "import asyncio, pathlib\n"
        "from protosmith.services.source_worker import SourceReviewer\n"
        f"root = pathlib.Path({str(WORKSPACE)!r})\n"
        "path = root / 'app' / 'views.py'\n"
        "reviewer = SourceReviewer()\n"
        "found = asyncio.run(reviewer.review(path, path.read_text(), root))\n"
        "print(sorted({f.code for f in found}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "reviewing in-process from now on" in done.stderr
    from protosmith.analysis.review import review_source

    views = WORKSPACE / "app" / "views.py"
    expected = sorted({f.code for f in review_source(views, views.read_text(), root=WORKSPACE)})
    assert done.stdout.strip() == str(expected)
