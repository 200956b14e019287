"""The safe writer: hostile names refused, symlinks never followed, writes atomic."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from protosmith.pipeline.writer import SafeWriter, UnsafePathError


@pytest.fixture
def writer(tmp_path: Path) -> SafeWriter:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return SafeWriter(workspace / "prototype", workspace)


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.name.endswith(".tmp"))


@pytest.mark.parametrize(
    "name",
    [
        "../../x",
        "../x",
        "a/../../x",
        "..\\..\\x",
        "/etc/passwd",
        "C:\\x",
        "c:/x",
        "C:x",
        "\\\\server\\share\\x",
        "//server/share",
        "a\x00b",
        "a\nb.py",
        "tab\there",
        "",
        "   ",
        ".",
        "a//b",
        "a/",
        "dir/ leading-space",
        "trailing.",
    ],
)
def test_refuses_unsafe_names(writer: SafeWriter, name: str) -> None:
    with pytest.raises(UnsafePathError):
        writer.write_text(name, "x")
    assert not any(writer.root.parent.parent.rglob("x"))
    assert writer.written == []


def test_writes_atomically_and_records(writer: SafeWriter) -> None:
    path = writer.write_text("pkg/mod.py", "print('hi')\r\n")
    assert path == writer.root / "pkg" / "mod.py"
    assert path.read_bytes() == b"print('hi')\r\n"
    writer.write_text("./pkg/mod.py", "v2\n")
    writer.write_text("README.md", "# r\n")
    assert path.read_text() == "v2\n"
    assert writer.written == ["pkg/mod.py", "README.md"]
    assert leftovers(writer.root) == []
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o644


def test_symlink_escape_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    outside = tmp_path / "outside"
    (workspace / "prototype").mkdir(parents=True)
    outside.mkdir()
    (workspace / "prototype" / "link").symlink_to(outside, target_is_directory=True)
    (workspace / "prototype" / "file.py").symlink_to(outside / "target.py")
    writer = SafeWriter(workspace / "prototype", workspace)
    with pytest.raises(UnsafePathError, match="symlink"):
        writer.write_text("link/evil.py", "x")
    with pytest.raises(UnsafePathError, match="symlink"):
        writer.write_text("file.py", "x")
    assert list(outside.iterdir()) == []


def test_symlink_inside_root_is_also_refused(writer: SafeWriter) -> None:
    (writer.root / "real").mkdir()
    (writer.root / "alias").symlink_to(writer.root / "real", target_is_directory=True)
    with pytest.raises(UnsafePathError):
        writer.write_text("alias/x.py", "x")


def test_root_must_lie_inside_workspace(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    with pytest.raises(UnsafePathError):
        SafeWriter(tmp_path / "elsewhere", workspace)
    with pytest.raises(UnsafePathError):
        SafeWriter(Path("../elsewhere"), workspace)
    (tmp_path / "target").mkdir()
    (workspace / "out").symlink_to(tmp_path / "target", target_is_directory=True)
    with pytest.raises(UnsafePathError):
        SafeWriter(workspace / "out", workspace)
    relative = SafeWriter(Path("gen/proto"), workspace)
    assert relative.root == (workspace / "gen" / "proto").resolve()
    assert relative.root.is_dir()


def test_folder_name_is_not_a_file(writer: SafeWriter) -> None:
    writer.write_text("pkg/a.py", "a")
    with pytest.raises(UnsafePathError):
        writer.write_text("pkg", "x")


def test_failed_write_leaves_old_content_and_no_temp(writer: SafeWriter) -> None:
    writer.write_text("a.py", "old\n")
    with pytest.raises(UnicodeEncodeError):
        writer.write_text("a.py", "bad \ud800 surrogate")
    with pytest.raises(UnicodeEncodeError):
        writer.write_text("new.py", "bad \ud800 surrogate")
    assert (writer.root / "a.py").read_text() == "old\n"
    assert not (writer.root / "new.py").exists()
    assert leftovers(writer.root) == []
    assert writer.written == ["a.py"]


async def test_cancelled_write_leaves_no_file(writer: SafeWriter) -> None:
    first_chunk_written = asyncio.Event()
    never = asyncio.Event()

    async def stream() -> AsyncIterator[str]:
        yield "def half():\n"
        first_chunk_written.set()
        await never.wait()
        yield "    return 1\n"

    task = asyncio.create_task(writer.write_stream("mod.py", stream()))
    await first_chunk_written.wait()
    assert len(leftovers(writer.root)) == 1  # the temp file exists while streaming
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (writer.root / "mod.py").exists()
    assert leftovers(writer.root) == []
    assert writer.written == []


async def test_failed_stream_leaves_no_file(writer: SafeWriter) -> None:
    async def stream() -> AsyncIterator[str]:
        yield "partial"
        raise ConnectionError("stream broke")

    with pytest.raises(ConnectionError):
        await writer.write_stream("mod.py", stream())
    assert list(writer.root.iterdir()) == []


async def test_completed_stream_is_written(writer: SafeWriter) -> None:
    async def stream() -> AsyncIterator[str]:
        for part in ("a", "b", "c\n"):
            yield part

    path = await writer.write_stream("s/x.txt", stream())
    assert path.read_text() == "abc\n"
    assert writer.written == ["s/x.txt"]


def test_temporaries_left_by_a_killed_run_are_swept(tmp_path: Path) -> None:
    from protosmith.pipeline.writer import _temporary

    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.tmp").write_text("user file", encoding="utf-8")
    fd, leftover = _temporary(out / "a.py")
    os.close(fd)
    writer = SafeWriter(out, workspace=tmp_path)
    assert writer.swept == [leftover]
    assert not leftover.exists()
    assert (out / "keep.tmp").exists()
