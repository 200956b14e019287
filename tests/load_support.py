"""A machine whose cores are all busy, for tests of what must hold under load (cancellation).

``busy_cores`` starts two CPU-bound processes per core for the duration of a test. Each one
also ends by itself (``signal.alarm``) and with the test process (a parent-death signal), so a
killed or timed-out test run cannot leave them spinning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

LOAD_LIMIT_S = 600
"""A busy loop ends by itself after this long, whatever happens to the test."""
_SPIN = (
    "import ctypes, signal, sys\n"
    "if sys.platform.startswith('linux'):\n"
    "    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))\n"
    f"signal.alarm({LOAD_LIMIT_S})\n"
    "while True:\n"
    "    pass\n"
)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@pytest.fixture
def busy_cores() -> Iterator[int]:
    """Two busy-loop processes per core while the test runs; yields how many were started."""
    spinners = [
        subprocess.Popen([sys.executable, "-c", _SPIN], stdin=subprocess.DEVNULL)
        for _ in range(2 * cores())
    ]
    time.sleep(0.5)  # let them take the cores before the test starts its work
    try:
        assert all(p.poll() is None for p in spinners), "a busy loop did not start"
        yield len(spinners)
    finally:
        for process in spinners:
            process.kill()
        for process in spinners:
            process.wait(timeout=10)


def processes_mentioning(marker: str) -> list[str]:
    """Command lines of live (not zombie) processes whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in command and state != "Z":
            found.append(command.replace(b"\0", b" ").decode(errors="replace"))
    return found


def wait_until_gone(marker: str, timeout: float = 10.0) -> list[str]:
    """Wait until no process mentions ``marker``; those still alive after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (left := processes_mentioning(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def ignore_sigint() -> None:
    """``preexec_fn``: start a process the way a non-interactive shell starts a background job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
