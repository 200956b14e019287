"""The local backend: llama.cpp in a worker process, one request at a time.

The worker (:mod:`protosmith.llm.local_worker`) is started on first use and speaks JSON lines
over pipes. If it dies (a native abort, the OOM killer, ``kill -9``), the request in flight
raises a :class:`BackendError` saying so, and the next request starts a fresh worker.
Cancelling a request kills the worker: a C call cannot be interrupted, and a worker still
busy with an abandoned prompt would delay everyone queued behind it; the next request
reloads the model (fractions of a second for the embedded one, page-cached for others).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import signal
import sys
from collections import deque
from pathlib import Path
from typing import Any

import protosmith
from protosmith.childproc import Child
from protosmith.llm.base import (
    Capabilities,
    Completion,
    CompletionRequest,
    DeviceInfo,
    StructuredMode,
    Usage,
)
from protosmith.llm.device import cpu_threads, detected_device, omp_wait_policy, start_detection
from protosmith.llm.errors import BackendError, BackendUnavailable
from protosmith.llm.tokens import LlamaTokenCounter

log = logging.getLogger(__name__)

LINE_LIMIT = 1 << 24
"""Largest reply line the parent accepts (16 MiB)."""
STDERR_TAIL = 20
_ERROR_LINE = re.compile(r"error|assert|abort|fault|exception|traceback|failed", re.IGNORECASE)
_REAPERS: set[asyncio.Task[int]] = set()
LOCAL_DEVICE = DeviceInfo(kind="cpu", name="local (device not detected yet)")
"""What ``capabilities`` says until the background probe has found the device."""


class _WorkerProcess:
    """One running worker: the process, its stderr tail, and what it reported at load."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL)
        self.info: dict[str, Any] = {}
        self._drain = asyncio.create_task(self._read_stderr())

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _read_stderr(self) -> None:
        stream = self.process.stderr
        while stream is not None and (line := await stream.readline()):
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                self.stderr_tail.append(text)
                log.debug("llama worker %s: %s", self.pid, text)

    async def call(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one request and read its reply; EOF means the worker died."""
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:
            raise BackendError("the local model worker has no pipes")
        try:
            stdin.write((json.dumps(message) + "\n").encode())
            await stdin.drain()
            line = await stdout.readline()
        except (BrokenPipeError, ConnectionResetError):
            line = b""
        if not line:
            raise await self._death()
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError as error:
            self.kill()
            raise BackendError(
                f"the local model worker (pid {self.pid}) sent an unreadable reply: {error}",
                hint="the next request starts a new worker",
            ) from error
        return reply

    async def _death(self) -> BackendError:
        code = await self.process.wait()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._drain, timeout=1)
        if code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        tail = " | ".join([ln for ln in self.stderr_tail if _ERROR_LINE.search(ln)][-3:])
        return BackendError(
            f"the local model worker (pid {self.pid}) {how} while answering"
            + (f"; last output: {tail}" if tail else ""),
            hint="the next request starts a new worker; if this repeats, run `protosmith doctor`",
        )

    def kill(self) -> None:
        """Kill at once (safe from any state, even from another event loop), then reap."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(RuntimeError):
                if not self._drain.get_loop().is_closed():
                    task = self._drain.get_loop().create_task(self.process.wait())
                    _REAPERS.add(task)
                    task.add_done_callback(_REAPERS.discard)
        self._drain.cancel()


def _worker_environment() -> dict[str, str]:
    env = dict(os.environ)
    source_root = str(Path(protosmith.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    # OpenMP threads spin between steps: twice as fast on an idle machine, several times slower
    # on a busy one (CI, other workers). Decide from the load now, unless the user already has.
    if "OMP_WAIT_POLICY" not in env:
        policy = omp_wait_policy(cpu_threads())
        if policy is not None:
            env["OMP_WAIT_POLICY"] = policy
    return env


class LocalBackend:
    """llama.cpp through llama-cpp-python in a separate process."""

    name = "local"

    def __init__(
        self,
        model_path: str | Path,
        *,
        n_ctx: int = 8192,
        n_gpu_layers: int | None = None,
        chat_format: str | None = None,
        tiny: bool = False,
        seed: int | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise BackendUnavailable(
                f"model file not found: {self.model_path}",
                hint="pass --model with the path of a .gguf file, or omit it for the embedded model",
            )
        self.n_ctx = n_ctx
        self.n_gpu_layers = n_gpu_layers
        self.chat_format = chat_format
        self.tiny = tiny
        self.seed = seed
        self.token_counter = LlamaTokenCounter(self.model_path)
        self._worker: _WorkerProcess | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._device: DeviceInfo | None = None
        self._busy = False
        self.restarts = 0

    @property
    def capabilities(self) -> Capabilities:
        if self._device is None:  # probed in a thread: its imports take seconds, never on a loop
            start_detection()
            self._device = detected_device()
        return Capabilities(
            context_window=self.n_ctx,
            parallel_slots=1,
            structured_mode=StructuredMode.JSON_OBJECT,
            token_counter=self.token_counter,
            device=self._device or LOCAL_DEVICE,
            model=self.model_path.name,
            backend=self.name,
            tiny=self.tiny,
            seed=self.seed,
        )

    @property
    def worker_pid(self) -> int | None:
        """The running worker's pid (tests kill it to check recovery)."""
        return self._worker.pid if self._worker is not None else None

    @property
    def busy(self) -> bool:
        """True while a request is inside the worker."""
        return self._busy

    @property
    def worker_info(self) -> dict[str, Any]:
        """What the worker reported at load: chat_format, n_gpu_layers, warnings, ..."""
        return dict(self._worker.info) if self._worker is not None else {}

    def _bind_loop(self) -> asyncio.Lock:
        """One lock per event loop; a worker started under another loop is discarded."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._lock is None:
            self._discard()
            self._loop = loop
            self._lock = asyncio.Lock()
        return self._lock

    def _discard(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None

    async def _ensure_worker(self) -> _WorkerProcess:
        if self._worker is not None and self._worker.process.returncode is None:
            return self._worker
        if self._worker is not None:
            self.restarts += 1
        self._worker = None
        # In our own process group, at our priority: whoever stops this process's group (the
        # server stopping a generation) stops the worker with it.
        child = await Child.start(
            [sys.executable, "-m", "protosmith.llm.local_worker"],
            env=_worker_environment(),
            session=False,
            priority_increment=None,
            private_tmp=False,
            limit=LINE_LIMIT,
        )
        worker = _WorkerProcess(child.process)
        try:
            reply = await worker.call(
                {
                    "op": "load",
                    "model_path": str(self.model_path),
                    "n_ctx": self.n_ctx,
                    "n_gpu_layers": self.n_gpu_layers,
                    "chat_format": self.chat_format,
                }
            )
        except BaseException:
            worker.kill()
            raise
        if not reply.get("ok"):
            worker.kill()
            raise BackendUnavailable(
                f"cannot load {self.model_path}: {reply.get('error')}",
                hint="check that the file is a GGUF model llama.cpp supports",
            )
        worker.info = reply
        for warning in reply.get("warnings", []):
            log.warning("local model: %s", warning)
        log.info(
            "local model %s loaded (chat_format=%s, n_gpu_layers=%s, pid %s)",
            self.model_path.name,
            reply.get("chat_format"),
            reply.get("n_gpu_layers"),
            worker.pid,
        )
        self._worker = worker
        return worker

    async def start(self) -> None:
        """Start the worker and load the model now rather than on the first request."""
        async with self._bind_loop():
            await self._ensure_worker()

    async def complete(self, request: CompletionRequest) -> Completion:
        """Run one completion in the worker; requests queue on the lock, one at a time."""
        message = {
            "op": "complete",
            "messages": [m.model_dump() for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stop": request.stop,
            "seed": request.seed if request.seed is not None else self.seed,
            "schema": request.json_schema,
        }
        async with self._bind_loop():
            worker = await self._ensure_worker()
            self._busy = True
            try:
                reply = await worker.call(message)
            except asyncio.CancelledError:
                self._discard()
                raise
            finally:
                self._busy = False
        if not reply.get("ok"):
            raise BackendError(
                f"local model {self.model_path.name} failed: {reply.get('error')}",
                hint=f"a prompt longer than n_ctx={self.n_ctx} needs a larger window: "
                "--context-tokens / PROTOSMITH_CONTEXT_TOKENS (or PROTOSMITH_N_CTX, editor "
                "setting protosmith.nCtx)",
            )
        usage = reply.get("usage", {})
        finish = reply.get("finish_reason")
        return Completion(
            text=reply["text"],
            finish_reason=finish if finish in ("stop", "length") else "stop",
            usage=Usage(
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
            ),
            model=self.model_path.name,
        )

    async def aclose(self) -> None:
        """Ask the worker to exit; kill it if it does not within two seconds."""
        worker, self._worker = self._worker, None
        if worker is None or worker.process.returncode is not None:
            return
        try:
            if worker.process.stdin is not None:
                worker.process.stdin.write(b'{"op": "shutdown"}\n')
                await worker.process.stdin.drain()
            await asyncio.wait_for(worker.process.wait(), timeout=2)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, RuntimeError):
            worker.kill()
        worker._drain.cancel()
