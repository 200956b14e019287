"""Child processes for background work: one way to start them, talk to them and stop them.

Generations, workspace reviews and the local model worker run as child processes, so that
CPU-heavy Python and native code never share the server's interpreter lock or its fate. They
all start and stop the same way:

- a child leads its own session and process group, so one signal reaches every process it
  started (analyzers, the model worker), and it runs at background priority (``priority``)
  unless the caller needs it at full speed;
- it gets a private temporary folder (``TMPDIR``, inside the parent's ``scratch`` root) that the
  parent removes once the child is gone, however it ended: copies made by a child that had to
  be killed cannot outlive it;
- the request goes in on stdin, lines with a progress prefix on stderr are handed to a
  callback (the rest is kept as the error tail), the result comes back on stdout;
- stopping cannot be ignored: SIGINT to the child (its clean, resumable stop), then SIGTERM
  and SIGKILL to its whole group, each after a short grace, and the stop returns only when the
  whole group is gone. A child that inherited "ignore SIGINT" (anything started in the background by
  a non-interactive shell does) is still stopped, one grace period later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from protosmith.priority import BACKGROUND_NICE, lower_priority_of
from protosmith.scratch import new_folder

log = logging.getLogger(__name__)

INTERRUPT_GRACE_S = 6.0
"""How long a child gets after SIGINT to end cleanly (journal, summary) before SIGTERM."""
TERMINATE_GRACE_S = 3.0
"""How long a child gets after SIGTERM (kill its own helpers, remove its copies) before SIGKILL."""
GROUP_GONE_S = 2.0
"""How long a stop waits, after SIGKILL, for the last members of the group to disappear."""
PIPE_DRAIN_S = 5.0
"""How long the output of a stopped child is still read (processes in other sessions may hold
its pipes open)."""
TAIL_LINES = 20
LINE_LIMIT = 2**24
"""Longest line (or reply) a parent reads from a child: 16 MiB."""


class ChildCancelled(asyncio.CancelledError):
    """The caller was cancelled and the child is gone; ``result`` is what it said before it went.

    It is a ``CancelledError``, so it propagates as a cancellation through code that does not
    look at it; a caller that wants the child's last word (a generation's cancelled summary)
    catches it."""

    def __init__(self, result: ChildResult) -> None:
        super().__init__("cancelled")
        self.result = result


@dataclass
class ChildResult:
    """How a child ended: its exit status (negative: killed by that signal), stdout, error tail."""

    returncode: int
    stdout: bytes = b""
    tail: list[str] = field(default_factory=list)
    stop_s: float | None = None
    """Seconds from the first stop signal until the group was gone; None if it was not stopped."""


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    """Send ``sig`` to the group; False when no process of it is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError as error:  # a member changed credentials (setuid helper): ignore it
        log.debug("cannot signal group %s: %s", pgid, error)
    return True


def group_alive(pgid: int) -> bool:
    """True while any process of group ``pgid`` exists (zombies included)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Child:
    """A started child process; the owner awaits :meth:`wait` or :meth:`stop`, then it is cleaned.

    With ``session`` (the default) the child leads its own process group and every signal goes
    to the whole group; without, it stays in its parent's group (the local model worker, so that
    whoever stops the parent's group stops the worker too) and signals go to it alone.
    """

    def __init__(
        self, process: asyncio.subprocess.Process, scratch: Path | None, *, session: bool = True
    ) -> None:
        self.process = process
        self.scratch = scratch
        self.session = session
        self.stop_s: float | None = None

    @property
    def pid(self) -> int:
        """The child's pid (with ``session``, also its process group and session id)."""
        return self.process.pid

    def _signal(self, sig: signal.Signals) -> bool:
        if self.session:
            return _signal_group(self.pid, sig)
        if self.process.returncode is not None:
            return False
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            return False
        return True

    def alive(self) -> bool:
        """True while the child (with ``session``, any process of its group) exists."""
        if self.session:
            return group_alive(self.pid)
        return self.process.returncode is None

    @classmethod
    async def start(
        cls,
        argv: Sequence[str],
        *,
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        stdin: bool = True,
        priority_increment: int | None = BACKGROUND_NICE,
        session: bool = True,
        private_tmp: bool = True,
        limit: int = LINE_LIMIT,
    ) -> Child:
        """Start ``argv`` with piped stdout and stderr (and stdin if asked).

        ``priority_increment`` sets its niceness that much below ours at once, before its
        start-up uses real CPU (with ``session``, its scheduling group's too; 0 keeps our
        priority, None leaves it alone); ``private_tmp`` points its ``TMPDIR`` at a folder removed
        when it is gone.
        """
        scratch = new_folder("child-") if private_tmp else None
        full_env = dict(os.environ if env is None else env)
        if scratch is not None:
            for name in ("TMPDIR", "TMP", "TEMP"):
                full_env[name] = str(scratch)
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                cwd=None if cwd is None else str(cwd),
                env=full_env,
                stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=session,
                limit=limit,
            )
        except BaseException:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
            raise
        if priority_increment is not None and (session or priority_increment):
            lower_priority_of(process.pid, priority_increment)
        return cls(process, scratch, session=session)

    def kill(self) -> None:
        """SIGKILL the child (its whole group) now; safe from any state and any event loop."""
        self._signal(signal.SIGKILL)
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    async def wait(self) -> int:
        """Wait until the child exits, then make sure nothing of its group is left."""
        code = await self.process.wait()
        await self._finish()
        return code

    async def stop(
        self,
        interrupt_grace_s: float = INTERRUPT_GRACE_S,
        terminate_grace_s: float = TERMINATE_GRACE_S,
    ) -> int:
        """Stop the child (SIGINT), then its group (SIGTERM, SIGKILL), each after its grace.

        Returns the exit status.

        Cancelling the stop itself skips to SIGKILL: a second cancel never leaves a child behind.
        """
        begun = time.monotonic()
        try:
            steps = ((signal.SIGINT, interrupt_grace_s), (signal.SIGTERM, terminate_grace_s))
            for sig, grace in steps:
                if self.process.returncode is not None or grace <= 0:
                    continue
                # SIGINT to the child alone: it stops its own helpers in order (a model worker
                # interrupted mid-reply would only add an error); the rest go to the group.
                if sig == signal.SIGINT:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, sig)
                elif not self._signal(sig):
                    break
                try:
                    await asyncio.wait_for(asyncio.shield(self.process.wait()), grace)
                except TimeoutError:
                    log.warning("child %s still running %.0fs after %s", self.pid, grace, sig.name)
        finally:
            self.kill()
            code = await self.process.wait()
            await self._finish()
            self.stop_s = round(time.monotonic() - begun, 3)
        log.info("child %s stopped in %.2fs (exit %s)", self.pid, self.stop_s, code)
        return code

    async def _finish(self) -> None:
        """Kill what is left of the group, wait until it is gone, remove the private folder."""
        if self.session:
            _signal_group(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + GROUP_GONE_S
        while self.alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if self.alive():
            log.warning("processes of group %s outlived it (an unreaped zombie?)", self.pid)
        self.cleanup()

    def cleanup(self) -> None:
        """Remove the private temporary folder (idempotent; the child must be gone)."""
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


async def _relay(
    stream: asyncio.StreamReader,
    prefix: str | None,
    on_progress: Callable[[str], None] | None,
    tail: deque[str],
    name: str,
) -> None:
    async for raw in stream:
        line = raw.decode("utf-8", errors="replace").rstrip()
        if prefix is not None and on_progress is not None and line.startswith(prefix):
            on_progress(line[len(prefix) :])
        elif line:
            tail.append(line)
            log.info("%s: %s", name, line)


async def run_child(
    argv: Sequence[str],
    *,
    request: bytes | None = None,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    progress_prefix: str | None = None,
    on_progress: Callable[[str], None] | None = None,
    priority_increment: int | None = BACKGROUND_NICE,
    interrupt_grace_s: float = INTERRUPT_GRACE_S,
    terminate_grace_s: float = TERMINATE_GRACE_S,
    name: str = "child",
) -> ChildResult:
    """Run ``argv`` to its end: ``request`` on stdin, progress lines to ``on_progress``.

    Cancelling the caller stops the child's whole group (see :meth:`Child.stop`; a grace of 0
    skips that signal) and raises :class:`ChildCancelled` with what the child wrote before it
    went, once nothing of it is left.
    """
    child = await Child.start(
        argv, cwd=cwd, env=env, stdin=request is not None, priority_increment=priority_increment
    )
    process = child.process
    assert process.stdout is not None and process.stderr is not None
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    readers = asyncio.gather(
        process.stdout.read(),
        _relay(process.stderr, progress_prefix, on_progress, tail, name),
    )
    try:
        if request is not None and process.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                process.stdin.write(request)
                await process.stdin.drain()
            process.stdin.close()
        output, _ = await asyncio.shield(readers)
        code = await child.wait()
    except asyncio.CancelledError:
        code = await child.stop(interrupt_grace_s, terminate_grace_s)
        output = b""
        try:
            output, _ = await asyncio.wait_for(asyncio.shield(readers), PIPE_DRAIN_S)
        except TimeoutError:
            readers.cancel()
        except (OSError, ValueError) as error:  # an unreadable pipe: the result is what is known
            log.debug("%s: output unreadable after stop: %s", name, error)
        raise ChildCancelled(ChildResult(code, output, list(tail), child.stop_s)) from None
    except BaseException:
        child.kill()
        readers.cancel()
        await child.wait()
        raise
    finally:
        child.cleanup()
    return ChildResult(code, output, list(tail))
