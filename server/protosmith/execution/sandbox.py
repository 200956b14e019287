"""Run one command on a copy of generated code, contained: the only way protosmith executes it.

Containment, in layers (see ``isolation`` for the namespaces):
- wall-clock timeout; on timeout or cancellation the whole process group, the pid namespace
  and the run's pids cgroup are killed, so nothing is left behind; the command also dies with
  the process that started it (a parent-death signal), and its scratch folder lives under that
  process's ``scratch`` root, removed even when the process is killed;
- rlimits: CPU seconds, address space (runners whose VMs reserve huge virtual ranges, i.e.
  JVM, node and go, use RLIMIT_DATA instead), file size, open files, no core dumps, and
  process count (RLIMIT_NPROC where it is enforced, a pids cgroup when running as root);
- a scrubbed environment: PATH, LANG, a temporary HOME and TMPDIR, plus the runner's own
  variables; anything that looks like a credential is dropped even when a runner passes it;
- no network unless asked (install phase only), and a read-only view of the filesystem except
  the working copy, the run's scratch folder and any cache folders the caller names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import resource
import shutil
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from protosmith.execution import isolation
from protosmith.execution.cgroups import PidsCgroup, pids_parent
from protosmith.execution.toolchains import search_path
from protosmith.priority import die_with_parent
from protosmith.scratch import new_folder

log = logging.getLogger(__name__)

MIB = 1024 * 1024
HEAD_BYTES = 24 * 1024
TAIL_BYTES = 40 * 1024
_SECRET_NAME = re.compile(
    r"KEY|TOKEN|SECRET|PASSW|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|"
    r"^AWS_|^OPENAI_|^ANTHROPIC_|^AZURE_|^GOOGLE_|^GCP_|^GITHUB_|^GH_|^HF_|^HUGGING|"
    r"^NPM_CONFIG__AUTH|^DOCKER_|^SSH_|^GPG_",
    re.IGNORECASE,
)
_COPY_IGNORE_ANYWHERE = frozenset(
    {".git", "node_modules", "__pycache__", ".protosmith", ".pytest_cache", ".gradle"}
)
_BUILD_OUTPUTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Cargo.toml", frozenset({"target"})),
    ("*.csproj", frozenset({"bin", "obj"})),
    ("*.fsproj", frozenset({"bin", "obj"})),
    ("pom.xml", frozenset({"target"})),
    ("build.gradle", frozenset({"build"})),
    ("build.gradle.kts", frozenset({"build"})),
)
"""A build output is recognised by the build file beside it, never by its name alone: a Python
package called ``target`` or ``bin`` is source code."""


def build_outputs(folder: Path, names: list[str]) -> set[str]:
    """The entries of ``folder`` that are build outputs or virtual environments, by marker."""
    skipped: set[str] = set()
    for marker, outputs in _BUILD_OUTPUTS:
        if any(folder.glob(marker)):
            skipped |= {name for name in names if name in outputs}
    for name in names:
        if (folder / name / "pyvenv.cfg").is_file():
            skipped.add(name)
    return skipped


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed command; None leaves that limit unset."""

    cpu_s: int | None = 300
    address_space_mb: int | None = 4096
    data_mb: int | None = None
    nproc: int = 256
    """Processes and threads; enforced by a pids cgroup (root) or RLIMIT_NPROC (user ns)."""
    file_size_mb: int = 512
    open_files: int = 4096


@dataclass
class SandboxResult:
    """What the command did; stdout/stderr keep their head and tail when long."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    killed: bool
    duration_s: float
    isolation: list[str] = field(default_factory=list)


def network_isolation_available() -> tuple[bool, str]:
    """Whether the test phase can run without network, and how (or why not)."""
    found = isolation.probe()
    return found.network, found.reason


def process_limit_available() -> tuple[bool, str]:
    """Whether a fork bomb is contained here, and by what."""
    parent = pids_parent()
    if parent is not None:
        return True, f"pids cgroup under {parent}"
    if os.geteuid() != 0 and isolation.probe().uses_userns:
        return True, "RLIMIT_NPROC counted inside a user namespace"
    if os.geteuid() != 0:
        return True, "RLIMIT_NPROC (counts all of this user's processes)"
    return False, "running as root without a writable pids cgroup: RLIMIT_NPROC is not enforced"


def is_secret_name(name: str) -> bool:
    """True for environment variable names that commonly hold credentials."""
    return bool(_SECRET_NAME.search(name))


def scrub_env(extra: Mapping[str, str] | None, *, home: Path, tmp: Path) -> dict[str, str]:
    """The only environment sandboxed code sees; credential-like names never pass."""
    env = {
        "PATH": search_path(None),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "TMP": str(tmp),
        "TEMP": str(tmp),
        "TERM": "dumb",
        "NO_COLOR": "1",
        "CI": "1",
    }
    for name, value in (extra or {}).items():
        if is_secret_name(name):
            log.warning("dropping credential-like variable %s from the sandbox environment", name)
            continue
        env[name] = value
    return env


def copy_tree(source: Path, destination: Path, include: Sequence[str] | None = None) -> Path:
    """Copy a generated tree for a run, leaving out VCS folders, build outputs and venvs.

    ``include`` (relative paths) copies only those files and folders, for a test run that must
    see a component and the components it imports, not the whole project.
    """
    source = Path(source)

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name in _COPY_IGNORE_ANYWHERE}
        return skipped | build_outputs(Path(folder), names)

    if include is None:
        shutil.copytree(source, destination, symlinks=True, ignore=ignore, dirs_exist_ok=True)
        return destination
    destination.mkdir(parents=True, exist_ok=True)
    for relative in include:
        origin = source / relative
        if origin.is_symlink() or not origin.exists():
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, symlinks=True, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, target)
    return destination


async def copy_tree_in_thread(
    source: Path, destination: Path, include: Sequence[str] | None = None
) -> Path:
    """:func:`copy_tree` in a thread, off the event loop, and finished even when cancelled.

    A cancelled ``asyncio.to_thread`` returns at once while the thread goes on copying; the
    caller would then remove the folder and the thread recreate parts of it, a leftover copy of
    the workspace in TMPDIR. Waiting for the copy (bounded by the tree's size) prevents that.
    """
    job = asyncio.ensure_future(asyncio.to_thread(copy_tree, source, destination, include))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        await asyncio.wait({job})
        raise


def _child_setup(limits: Limits, procs: Path | None, nproc: bool) -> None:
    """Runs in the child between fork and exec: die with the parent, join the cgroup, then lower
    the limits. The parent-death signal makes a killed generation take its test runs along
    (they lead sessions of their own, so a kill of its process group does not reach them)."""
    die_with_parent()
    if procs is not None:
        procs.write_text(str(os.getpid()))

    def cap(kind: int, value: int) -> None:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_CORE, 0)
    if limits.cpu_s is not None:
        cap(resource.RLIMIT_CPU, limits.cpu_s)
    if limits.address_space_mb is not None:
        cap(resource.RLIMIT_AS, limits.address_space_mb * MIB)
    if limits.data_mb is not None:
        cap(resource.RLIMIT_DATA, limits.data_mb * MIB)
    cap(resource.RLIMIT_FSIZE, limits.file_size_mb * MIB)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    if nproc:
        cap(resource.RLIMIT_NPROC, limits.nproc)


class _Capture:
    """Keeps the first and last bytes of a stream so huge output cannot exhaust memory."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        room = HEAD_BYTES - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        self.tail += chunk
        if len(self.tail) > TAIL_BYTES:
            excess = len(self.tail) - TAIL_BYTES
            self.dropped += excess
            del self.tail[:excess]

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        if self.dropped:
            return f"{head}\n... [{self.dropped} bytes omitted] ...\n{tail}"
        return head + tail


async def _pump(stream: asyncio.StreamReader | None, capture: _Capture) -> None:
    if stream is None:
        return
    while chunk := await stream.read(65536):
        capture.feed(chunk)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_sandboxed(
    cmd: list[str],
    *,
    cwd: Path,
    timeout_s: float,
    network: bool = False,
    env: Mapping[str, str] | None = None,
    limits: Limits = Limits(),
    writable: Sequence[Path] = (),
) -> SandboxResult:
    """Run ``cmd`` in ``cwd`` (already a copy) within the limits; never raises on its failure.

    ``writable`` names extra folders (package caches) that stay writable; everything else
    outside ``cwd`` and the run's scratch folder is read-only where mount namespaces work.
    """
    # The first probe runs ``unshare`` up to three times: seconds on a busy machine, so not on
    # the event loop, where it would also hold up a cancellation.
    found = await asyncio.to_thread(isolation.probe)
    scratch = new_folder("sbx-")
    home, tmp, stage = scratch / "home", scratch / "tmp", scratch / "dev"
    for folder in (home, tmp, stage):
        folder.mkdir()
    full_env = scrub_env(env, home=home, tmp=tmp)
    keep = [Path(cwd).resolve(), scratch, *(Path(p) for p in writable if Path(p).exists())]
    argv = isolation.wrap(
        cmd,
        network=network,
        stage=stage,
        writable=keep,
        mode=found.mode,
        uses_userns=found.uses_userns,
    )
    applied = [f"isolation:{found.mode}" + ("" if network else "+no-network")]
    cgroup = PidsCgroup.create(limits.nproc)
    if cgroup is not None:
        applied.append("pids-cgroup")
    nproc = cgroup is None and (os.geteuid() != 0 or found.uses_userns)
    started = time.monotonic()
    out, err = _Capture(), _Capture()
    timed_out = killed = False
    returncode: int | None = None
    try:
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                cwd=str(cwd),
                env=full_env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                preexec_fn=lambda: _child_setup(limits, cgroup.procs if cgroup else None, nproc),
            )
        except OSError as exc:
            return SandboxResult(
                None,
                "",
                f"could not start {cmd[0]}: {exc}",
                False,
                False,
                time.monotonic() - started,
                applied,
            )
        pumps = asyncio.gather(_pump(proc.stdout, out), _pump(proc.stderr, err))
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=timeout_s)
        except TimeoutError:
            timed_out = killed = True
        finally:
            if proc.returncode is None:
                killed = True
                _kill_group(proc.pid)
            if cgroup is not None:
                cgroup.kill_all()
            _kill_group(proc.pid)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            returncode = await proc.wait()
            # Grandchildren that kept the pipes open are dead now; drain what is buffered.
            try:
                await asyncio.wait_for(pumps, timeout=5)
            except TimeoutError:
                log.warning("sandbox output pipes stayed open after the kill")
                pumps.cancel()
    finally:
        if cgroup is not None:
            cgroup.remove()
        shutil.rmtree(scratch, ignore_errors=True)
    return SandboxResult(
        returncode=returncode,
        stdout=out.text(),
        stderr=err.text(),
        timed_out=timed_out,
        killed=killed,
        duration_s=round(time.monotonic() - started, 3),
        isolation=applied,
    )
