"""Background work yields the CPU to the editor.

A generation or a workspace review started from an editor runs in child processes. On a small
machine they compete for the same cores as the language server answering hovers and code
actions; lowering their scheduling priority (``nice``) keeps the server's replies quick without
slowing the work on an otherwise idle machine. The parent lowers the child's priority the moment
it is created, before the child's own start-up (interpreter, imports) has used any real CPU, and
the child's own children (the model worker, sandboxed test runs, ruff, bandit) inherit it.

Linux with ``sched_autogroup_enabled`` (most desktop distributions) schedules each session as
one group, and a child started in its own session (as ours are, so cancelling can kill the whole
group) gets a new group whose niceness is what counts against the server's: it is lowered too.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10
"""How much lower than the server a background child runs (niceness; 19 is the lowest)."""
LOWEST = 19
AUTOGROUP_ATTEMPTS = 6
"""Tries at an autogroup's niceness: without CAP_SYS_ADMIN, Linux allows one change per 100 ms
across the whole machine and answers EAGAIN to the rest."""
AUTOGROUP_RETRY_S = 0.12


def lower_priority_of(pid: int, increment: int = BACKGROUND_NICE) -> int | None:
    """Run process ``pid`` at ``increment`` below this process; its niceness, or None where the
    platform has no priorities (Windows) or the process is already gone."""
    getpriority = getattr(os, "getpriority", None)
    setpriority = getattr(os, "setpriority", None)
    if getpriority is None or setpriority is None:
        return None
    try:
        target = min(LOWEST, getpriority(os.PRIO_PROCESS, 0) + increment)
        setpriority(os.PRIO_PROCESS, pid, target)
    except OSError as error:  # the child already exited, or a sandbox forbids it
        log.debug("cannot lower the priority of %s: %s", pid, error)
        return None
    _lower_autogroup(pid, target)
    return target


def _lower_autogroup(pid: int, nice: int, attempts: int = AUTOGROUP_ATTEMPTS) -> None:
    """Give ``pid``'s scheduling autogroup the niceness ``nice`` when it is not our own group.

    A rate-limited write is retried from a timer thread, so the caller (often the event loop)
    never sleeps for it."""
    group = Path(f"/proc/{pid}/autogroup")
    try:
        theirs = _group_name(group)
        if theirs and theirs != _group_name(Path("/proc/self/autogroup")):
            group.write_text(str(nice), encoding="ascii")
    except OSError as error:
        if error.errno == errno.EAGAIN and attempts > 1:
            retry = threading.Timer(AUTOGROUP_RETRY_S, _lower_autogroup, (pid, nice, attempts - 1))
            retry.daemon = True
            retry.start()
            return
        # no autogroups here, the child is gone, or the kernel refuses
        log.debug("autogroup of %s unchanged: %s", pid, error)


def _group_name(autogroup: Path) -> str:
    """The group named in an autogroup file (``/autogroup-42 nice 0``); empty for the machine's
    default group, whose file is empty (a process that never started a session of its own, such
    as a CI job under a container's init)."""
    fields = autogroup.read_text(encoding="ascii").split()
    return fields[0] if fields else ""


def lower_own_priority(increment: int = BACKGROUND_NICE) -> None:
    """Run this process ``increment`` below its current priority (a pool worker's initializer:
    it shares its parent's session and scheduling group, so plain niceness is enough)."""
    getpriority = getattr(os, "getpriority", None)
    setpriority = getattr(os, "setpriority", None)
    if getpriority is None or setpriority is None:
        return
    try:
        setpriority(os.PRIO_PROCESS, 0, min(LOWEST, getpriority(os.PRIO_PROCESS, 0) + increment))
    except OSError as error:
        log.debug("cannot lower this process's priority: %s", error)


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
"""Resolved at import, in the parent: ``die_with_parent`` also runs between fork and exec
(sandboxed commands), where loading a library could deadlock on a lock another thread held."""
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: signal.Signals = signal.SIGKILL) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies, so no orphan keeps working.

    SIGKILL for helpers that have nothing to save; SIGINT for a generation, which then stops
    cleanly and records that it was cancelled."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(sig))
