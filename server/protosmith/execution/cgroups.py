"""A pids cgroup per sandboxed run: the fork-bomb limit that also holds for root.

RLIMIT_NPROC is not enforced for uid 0 (even inside a user namespace, whose root maps to host
root), so when protosmith runs as root the process count is capped with the pids controller
(cgroup v1 ``/sys/fs/cgroup/pids`` or v2 with ``pids`` delegated). The cgroup also lets us kill
every process of a run, including ones that left the process group.
"""

from __future__ import annotations

import logging
import os
import signal
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _v2_own_dir() -> Path | None:
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::"):
            relative = line[3:].strip().lstrip("/")
            unified = CGROUP_ROOT / "unified"
            base = unified if (unified / "cgroup.controllers").exists() else CGROUP_ROOT
            return base / relative
    return None


@lru_cache(maxsize=1)
def pids_parent() -> Path | None:
    """A writable cgroup folder whose children get the pids controller, or None."""
    v1 = CGROUP_ROOT / "pids"
    candidates: list[Path] = []
    if (v1 / "pids.max").exists() or (v1 / "cgroup.procs").exists():
        candidates.append(v1)
    own = _v2_own_dir()
    if own is not None:
        try:
            if "pids" in (own / "cgroup.subtree_control").read_text().split():
                candidates.append(own)
        except OSError:
            pass
    for parent in candidates:
        probe = parent / f"protosmith-probe-{uuid.uuid4().hex[:8]}"
        try:
            probe.mkdir()
        except OSError:
            continue
        try:
            usable = (probe / "pids.max").exists()
        finally:
            try:
                probe.rmdir()
            except OSError:
                log.warning("could not remove probe cgroup %s", probe)
        if usable:
            return parent
    return None


@dataclass
class PidsCgroup:
    """One run's cgroup; ``procs`` is what the child writes its pid into before exec."""

    path: Path

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    @classmethod
    def create(cls, max_pids: int) -> PidsCgroup | None:
        """Make a fresh cgroup limited to ``max_pids`` tasks; None when cgroups are unusable."""
        parent = pids_parent()
        if parent is None:
            return None
        path = parent / f"protosmith-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids))
        except OSError as exc:
            log.warning("pids cgroup %s unusable: %s", path, exc)
            try:
                path.rmdir()
            except OSError:
                pass
            return None
        return cls(path)

    def pids(self) -> list[int]:
        try:
            return [int(pid) for pid in self.procs.read_text().split()]
        except (OSError, ValueError):
            return []

    def kill_all(self) -> None:
        """SIGKILL every task in the cgroup until it is empty (bounded number of sweeps)."""
        kill_file = self.path / "cgroup.kill"
        if kill_file.exists():
            try:
                kill_file.write_text("1")
            except OSError as exc:
                log.debug("cgroup.kill failed: %s", exc)
        for _ in range(200):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                except PermissionError as exc:
                    log.warning("cannot kill sandboxed pid %d: %s", pid, exc)

    def remove(self) -> None:
        """Kill what is left and delete the cgroup (the kernel needs it empty)."""
        self.kill_all()
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                self.kill_all()
                os.sched_yield()
        log.warning("could not remove cgroup %s", self.path)
