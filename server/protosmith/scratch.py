"""Temporary folders that do not outlive their process, even a killed one.

Test runs copy the generated tree and sandboxed commands get a scratch HOME; a run cancelled or
killed at the wrong moment used to leave ``protosmith-run-*`` copies in TMPDIR for good. Every
such folder now lives under one root per process (``$TMPDIR/protosmith-<pid>-XXXX``):

- the process holds an exclusive ``flock`` on the root's ``.owner`` file for its whole life;
  the kernel releases it however the process ends, SIGKILL included;
- the root is removed at normal exit (``atexit``) and by :func:`remove_root` on a hard stop;
- the first time a process creates its root it sweeps the roots of processes that are gone
  (their lock is free), so what a killed process left is removed by the next one.

A child started by ``childproc`` also gets its ``TMPDIR`` inside its parent's root, so the
parent removes everything the child made as soon as the child is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; roots are removed at exit only, never swept
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

ROOT_PREFIX = "protosmith-"
OWNER_FILE = ".owner"
SWEEP_MIN_AGE_S = 30.0
"""A root younger than this is never swept: its owner may not hold its lock yet."""

_lock = threading.Lock()
_root: Path | None = None
_owner_fd: int | None = None
_owner_pid = 0


def _is_ours(root: Path | None) -> bool:
    return root is not None and _owner_pid == os.getpid() and root.is_dir()


def root() -> Path:
    """This process's scratch root, created (and the stale roots of dead processes swept) once."""
    global _root, _owner_fd, _owner_pid
    with _lock:
        if _root is not None and _is_ours(_root):
            return _root
        base = Path(tempfile.gettempdir())
        sweep_stale(base)
        created = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-", dir=base))
        fd = os.open(
            created / OWNER_FILE, os.O_CREAT | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o600
        )
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        _root, _owner_fd, _owner_pid = created, fd, os.getpid()
        return created


def new_folder(prefix: str) -> Path:
    """A fresh folder under this process's root (removed with it, or earlier by the caller)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=root()))


def remove_root() -> None:
    """Remove this process's root and everything in it (normal exit, or a hard stop)."""
    global _root, _owner_fd
    current, fd = _root, _owner_fd
    if current is None or _owner_pid != os.getpid():
        return
    _root = _owner_fd = None
    shutil.rmtree(current, ignore_errors=True)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def sweep_stale(base: Path | None = None) -> list[Path]:
    """Remove the roots under ``base`` whose owner is gone (its lock is free); the removed."""
    folder = Path(base if base is not None else tempfile.gettempdir())
    removed: list[Path] = []
    if fcntl is None:
        return removed
    try:
        candidates = list(folder.glob(f"{ROOT_PREFIX}*-*"))
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        owner = candidate / OWNER_FILE
        try:
            if not owner.is_file() or now - candidate.stat().st_mtime < SWEEP_MIN_AGE_S:
                continue
            fd = os.open(owner, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its owner still runs
            os.close(fd)
            continue
        try:
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
        finally:
            os.close(fd)
    if removed:
        log.info("removed %d temporary folder(s) left by processes that were killed", len(removed))
    return removed


atexit.register(remove_root)
