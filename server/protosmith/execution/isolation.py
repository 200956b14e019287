"""Linux namespaces for the sandbox: what this machine supports, and the wrapper command line.

The full mode runs the command under ``unshare --user --map-root-user --net --mount --pid``:
a fresh network namespace (only ``lo``, brought up so loopback works, nothing else reachable),
a pid namespace (killing its init kills everything inside, daemons included), and a mount
namespace in which the whole root filesystem is re-bound read-only except the run's own
folders, ``/dev`` is replaced by a minimal one (null, zero, random, urandom, tty, a private
``/dev/shm``), ``/sys`` and ``/proc/sys`` are read-only. Then every capability is dropped
(``setpriv --bounding-set=-all --no-new-privs``) so the command cannot undo any of it.

What is *not* contained: reads (the command can read any file its uid can read), CPU time
other than RLIMIT_CPU, and, without a pids cgroup, the process count when running as root.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROBE_TIMEOUT_S = 10.0

INIT_SCRIPT = r"""
set -e
lo="$1"; stage="$2"; n="$3"; shift 3
while [ "$n" -gt 0 ]; do mount --bind "$1" "$1"; shift; n=$((n - 1)); done
mount -t tmpfs -o nosuid,mode=755,size=1m tmpfs "$stage"
for d in null zero full random urandom tty; do
  : > "$stage/$d"; mount --bind "/dev/$d" "$stage/$d"
done
mkdir "$stage/shm" "$stage/pts"
mount -t tmpfs -o nosuid,nodev,size=256m,mode=1777 tmpfs "$stage/shm"
ln -s /proc/self/fd "$stage/fd"
ln -s /proc/self/fd/0 "$stage/stdin"
ln -s /proc/self/fd/1 "$stage/stdout"
ln -s /proc/self/fd/2 "$stage/stderr"
mount --rbind / /
mount --move "$stage" /dev
mount -o remount,bind,ro /
for f in /proc/sysrq-trigger /proc/kcore /proc/keys /proc/timer_list; do
  if [ -e "$f" ]; then mount --bind /dev/null "$f"; fi
done
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
while read -r _ _ _ _ mp _; do
  case "$mp" in /sys|/sys/*) mount -o remount,bind,ro "$mp" 2>/dev/null || true ;; esac
done < /proc/self/mountinfo
if [ "$lo" = 1 ]; then ip link set lo up; fi
# The working directory was resolved before the mounts; re-enter it through the new ones.
cd -P -- "$(pwd -P)"
exec setpriv --no-new-privs --bounding-set=-all --inh-caps=-all -- "$@"
"""

_UNSHARE_FULL = (
    "--user",
    "--map-root-user",
    "--net",
    "--mount",
    "--pid",
    "--fork",
    "--kill-child",
    "--mount-proc",
)


@dataclass(frozen=True)
class Isolation:
    """What the sandbox can do here; ``mode`` is full, netns (network only) or none."""

    mode: str
    reason: str
    uses_userns: bool

    @property
    def network(self) -> bool:
        return self.mode in ("full", "netns")


def _tools() -> dict[str, str | None]:
    return {name: shutil.which(name) for name in ("unshare", "setpriv", "ip", "mount", "sh")}


def _try(argv: list[str], cwd: Path) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            cwd=cwd,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return done.returncode == 0, (done.stderr or done.stdout).strip()[-500:]


@lru_cache(maxsize=1)
def probe() -> Isolation:
    """Try the full sandbox once (cached); fall back to a bare network namespace, then none."""
    import tempfile

    tools = _tools()
    if tools["unshare"] is None:
        return Isolation("none", "unshare (util-linux) is not installed", False)
    with tempfile.TemporaryDirectory(prefix="protosmith-probe-") as tmp:
        scratch = Path(tmp)
        (scratch / "dev").mkdir()
        full_reason = "setpriv, ip or mount missing"
        if all(tools[name] for name in ("setpriv", "ip", "mount", "sh")):
            argv = wrap(["true"], network=False, stage=scratch / "dev", writable=[scratch])
            ok, detail = _try(argv, scratch)
            if ok:
                return Isolation("full", "user, network, mount and pid namespaces (unshare)", True)
            full_reason = detail or "unshare failed"
        ok, detail = _try(
            [str(tools["unshare"]), "--user", "--map-root-user", "--net", "true"], scratch
        )
        if ok:
            return Isolation(
                "netns", f"network namespace only (full sandbox failed: {full_reason})", True
            )
        ok, detail = _try([str(tools["unshare"]), "--net", "true"], scratch)
        if ok:
            return Isolation(
                "netns", f"network namespace only (full sandbox failed: {full_reason})", False
            )
    return Isolation(
        "none",
        f"network namespaces unavailable here ({detail or full_reason}); "
        "tests run WITH network access",
        False,
    )


def wrap(
    cmd: Sequence[str],
    *,
    network: bool,
    stage: Path,
    writable: Sequence[Path],
    mode: str = "full",
    uses_userns: bool = True,
) -> list[str]:
    """The argv that runs ``cmd`` isolated; ``stage`` is an empty folder for the new /dev."""
    unshare = shutil.which("unshare") or "unshare"
    if mode == "full":
        flags = list(_UNSHARE_FULL)
        if network:
            flags.remove("--net")
        sh = shutil.which("sh") or "/bin/sh"
        lo = "0" if network else "1"
        dirs = [str(path) for path in writable]
        return [
            unshare,
            *flags,
            "--",
            sh,
            "-c",
            INIT_SCRIPT,
            "sh",
            lo,
            str(stage),
            str(len(dirs)),
            *dirs,
            *cmd,
        ]
    if mode == "netns" and not network:
        userns = ["--user", "--map-root-user"] if uses_userns else []
        return [unshare, *userns, "--net", "--", *cmd]
    return list(cmd)
