"""Safe, atomic writes of generated files, confined to the output folder.

Model output decides file names, so every name is treated as hostile: absolute paths (POSIX
and Windows), ``..``, control characters and writing through symlinks are refused before
anything touches the disk. Each file is written to a temporary sibling, fsynced and moved
into place with ``os.replace``, so a crash, a failure or a cancelled run never leaves a
half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterable
from pathlib import Path

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_COMPONENT_BYTES = 255
FILE_MODE = 0o644
"""Generated files are ordinary source files: readable by all, writable by the owner."""


class UnsafePathError(ValueError):
    """A path would escape the output folder, or is not a portable, plain relative name."""


def _fsync_directory(directory: Path) -> None:
    """Persist a rename on POSIX; directories cannot be opened for fsync on Windows."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary(path: Path) -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    return fd, Path(name)


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temp file in the same folder, fsync, replace.

    The temp file is removed in ``finally`` whatever happens, so readers see the old content
    or the new content, never a mix. The parent folder must exist.
    """
    fd, temporary = _temporary(path)
    replaced = False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), FILE_MODE)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        replaced = True
        _fsync_directory(path.parent)
    finally:
        if not replaced:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return path


def atomic_write_text(path: Path, content: str) -> Path:
    """UTF-8 text, written byte for byte (no newline translation), atomically."""
    return atomic_write_bytes(path, content.encode("utf-8"))


def check_relative(relative: str) -> list[str]:
    """The validated components of ``relative``; raises :class:`UnsafePathError` otherwise.

    Backslashes count as separators so that ``..\\x`` is caught on every platform; ``.``
    components are dropped; everything else odd is refused rather than "cleaned up".
    """
    if not isinstance(relative, str) or not relative.strip():
        raise UnsafePathError("empty file name")
    if _CONTROL.search(relative):
        raise UnsafePathError(f"file name {relative!r} contains NUL or control characters")
    if relative.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(relative):
        raise UnsafePathError(f"absolute path {relative!r} refused: names must be relative")
    parts: list[str] = []
    for part in relative.replace("\\", "/").split("/"):
        if part == ".":
            continue
        if part == "":
            raise UnsafePathError(f"file name {relative!r} has an empty component")
        if part == "..":
            raise UnsafePathError(f"path {relative!r} refused: '..' would leave the output folder")
        if part != part.strip() or part.endswith("."):
            raise UnsafePathError(f"component {part!r} of {relative!r} is not portable")
        if len(part.encode("utf-8")) > _MAX_COMPONENT_BYTES:
            raise UnsafePathError(f"component of {relative!r} is longer than 255 bytes")
        parts.append(part)
    if not parts:
        raise UnsafePathError(f"file name {relative!r} names the output folder itself")
    return parts


def _refuse_symlinks(base: Path, parts: list[str], relative: str) -> Path:
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePathError(f"{relative!r} refused: {current} is a symlink")
    return current


_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def sweep_temporaries(root: Path) -> list[Path]:
    """Remove temp files a killed run left behind (``.name.XXXXXXXX.tmp``, see ``_temporary``).

    A SIGKILL between ``mkstemp`` and ``os.replace`` cannot run cleanup code, so the next run
    over the same folder does it; the real file names were never touched.
    """
    removed = []
    for path in root.rglob(".*.tmp"):
        if path.is_file() and not path.is_symlink() and _TEMPORARY.match(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class SafeWriter:
    """Writes generated files under ``root``, which must lie inside ``workspace``.

    ``written`` lists the relative paths written so far, in order, without repeats.
    """

    def __init__(self, root: Path, workspace: Path | None = None) -> None:
        boundary = Path(workspace if workspace is not None else root).resolve()
        candidate = Path(root)
        if not candidate.is_absolute():
            candidate = boundary / candidate
        candidate = Path(os.path.abspath(candidate))
        if not candidate.is_relative_to(boundary):
            raise UnsafePathError(f"output folder {root} is outside the workspace {boundary}")
        inner = list(candidate.relative_to(boundary).parts)
        _refuse_symlinks(boundary, inner, str(root))
        candidate.mkdir(parents=True, exist_ok=True)
        resolved = candidate.resolve()
        if not resolved.is_relative_to(boundary):
            raise UnsafePathError(f"output folder {root} resolves outside the workspace")
        self.root = resolved
        self.workspace = boundary
        self.written: list[str] = []
        self.swept = sweep_temporaries(self.root)

    def resolve(self, relative: str) -> Path:
        """The absolute path for ``relative`` inside the root, or :class:`UnsafePathError`."""
        parts = check_relative(relative)
        target = _refuse_symlinks(self.root, parts, relative)
        if not target.resolve().is_relative_to(self.root):
            raise UnsafePathError(f"{relative!r} resolves outside the output folder")
        if target.is_dir():
            raise UnsafePathError(f"{relative!r} is a folder, not a file")
        return target

    def _prepare(self, relative: str) -> Path:
        target = self.resolve(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Re-check after creating folders: a symlink may have appeared meanwhile.
        return self.resolve(relative)

    def _record(self, target: Path) -> None:
        name = target.relative_to(self.root).as_posix()
        if name not in self.written:
            self.written.append(name)

    def write_text(self, relative: str, content: str) -> Path:
        """Write ``content`` (UTF-8) atomically to ``relative`` under the root; return the path."""
        target = self._prepare(relative)
        atomic_write_text(target, content)
        self._record(target)
        return target

    def write_bytes(self, relative: str, data: bytes) -> Path:
        """Binary counterpart of :meth:`write_text`."""
        target = self._prepare(relative)
        atomic_write_bytes(target, data)
        self._record(target)
        return target

    async def write_stream(self, relative: str, chunks: AsyncIterable[str]) -> Path:
        """Write text as it arrives (a streamed reply); the file appears only when complete.

        Cancelling the caller, or a failing stream, removes the temporary file: no partial
        file is ever visible under the final name.
        """
        target = self._prepare(relative)
        fd, temporary = _temporary(target)
        replaced = False
        try:
            with os.fdopen(fd, "wb") as handle:
                async for chunk in chunks:
                    handle.write(chunk.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, FILE_MODE)
            os.replace(temporary, target)
            replaced = True
            _fsync_directory(target.parent)
        finally:
            if not replaced:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
        self._record(target)
        return target
