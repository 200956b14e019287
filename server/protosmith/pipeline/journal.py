"""The run journal: what happened in a run, durable enough to resume after a crash.

Layout under the workspace::

    .protosmith/runs/<run_id>/events.jsonl      append-only, one JSON object per line
    .protosmith/runs/<run_id>/manifest.json     written atomically when the run ends
    .protosmith/runs/<run_id>/tasks/<id>.json   a finished task's result, atomic
    .protosmith/runs/<run_id>/protosmith.log    the run's log, tracebacks included

Each event is flushed to the OS as it is written, so a SIGKILLed run keeps every event but
possibly a torn last line, which readers ignore and a resumed run cuts off before appending.
Secrets never reach the disk: every record passes through
:func:`protosmith.context.secrets.redact_record` first.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from protosmith.context.secrets import known_secrets, redact_record
from protosmith.pipeline.api import UsageShare
from protosmith.pipeline.writer import atomic_write_text

_Result = TypeVar("_Result", bound=BaseModel)

log = logging.getLogger(__name__)

STATE_DIR = ".protosmith"
_RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{4}$")


def state_dir(workspace: Path) -> Path:
    """``.protosmith`` under the workspace, created with a ``.gitignore`` so it is never committed."""
    folder = Path(workspace) / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return folder


def runs_dir(workspace: Path) -> Path:
    """Where run folders live."""
    return Path(workspace) / STATE_DIR / "runs"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def _cut_torn_tail(path: Path) -> None:
    """Drop a partial last line (left by a kill) so appended events start on a fresh line."""
    if not path.is_file():
        return
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as handle:
        handle.truncate(keep)
    log.warning("journal %s: dropped a torn last line (%d bytes)", path, len(data) - keep)


class Journal:
    """One run's journal. Create with :meth:`create`, reopen with :meth:`open` to resume."""

    def __init__(self, workspace: Path, run_id: str, *, api_key_env: str | None = None) -> None:
        self.workspace = Path(workspace)
        self.run_id = run_id
        self.run_dir = runs_dir(self.workspace) / run_id
        self._events_path = self.run_dir / "events.jsonl"
        self._tasks_dir = self.run_dir / "tasks"
        self._api_key_env = api_key_env
        self._lock = threading.Lock()
        self._listeners: list[Callable[[dict[str, Any]], None]] = []

    @property
    def log_path(self) -> Path:
        """The run's log file: what went wrong in detail (tracebacks), for every session."""
        return self.run_dir / "protosmith.log"

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener`` with each (redacted) event after it is written (progress displays)."""
        self._listeners.append(listener)

    @classmethod
    def create(cls, workspace: Path, *, api_key_env: str | None = "OPENAI_API_KEY") -> Journal:
        """Start a new run with a fresh id such as ``20261125-091500-ab12``."""
        state_dir(Path(workspace))
        parent = runs_dir(Path(workspace))
        parent.mkdir(parents=True, exist_ok=True)
        while True:
            run_id = _new_run_id()
            try:
                (parent / run_id).mkdir()
            except FileExistsError:
                continue
            break
        journal = cls(workspace, run_id, api_key_env=api_key_env)
        journal._tasks_dir.mkdir()
        journal._events_path.touch()
        return journal

    @classmethod
    def open(
        cls, workspace: Path, run_id: str, *, api_key_env: str | None = "OPENAI_API_KEY"
    ) -> Journal:
        """Reopen an existing run (``--resume``); ``FileNotFoundError`` says which runs exist."""
        if not _RUN_ID.match(run_id) or not (runs_dir(Path(workspace)) / run_id).is_dir():
            known = list_runs(Path(workspace))[-5:]
            hint = f"; recent runs: {', '.join(known)}" if known else "; there are no runs yet"
            raise FileNotFoundError(f"no run {run_id!r} in {runs_dir(Path(workspace))}{hint}")
        journal = cls(workspace, run_id, api_key_env=api_key_env)
        journal._tasks_dir.mkdir(exist_ok=True)
        with journal._lock:
            _cut_torn_tail(journal._events_path)
        return journal

    @classmethod
    def existing(cls, workspace: Path, run_id: str) -> Journal | None:
        """An existing run's journal, to read only (None when there is no such run)."""
        if not _RUN_ID.match(run_id) or not (runs_dir(Path(workspace)) / run_id).is_dir():
            return None
        return cls(workspace, run_id)

    def _secrets(self) -> list[str]:
        return known_secrets(self._api_key_env)

    def event(self, kind: str, **data: Any) -> None:
        """Append one event (redacted), flushed to the OS before returning."""
        record = redact_record({"ts": round(time.time(), 6), "kind": kind, **data}, self._secrets())
        line = _dumps(record) + "\n"
        with self._lock, self._events_path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
        for listener in self._listeners:
            listener(record)

    def events(self) -> list[dict[str, Any]]:
        """All readable events in order; a torn or corrupt line is skipped, not fatal."""
        if not self._events_path.is_file():
            return []
        records: list[dict[str, Any]] = []
        lines = self._events_path.read_bytes().split(b"\n")
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                if number < len(lines):
                    log.warning("journal %s: unreadable line %d skipped", self.run_dir, number)
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def ledger(self) -> tuple[UsageShare, int]:
        """What the run's sessions so far spent, from the events, and how many sessions there were.

        Read from ``events.jsonl`` rather than the manifest so that a session that was killed
        (no manifest written) still counts: its calls and its wall time up to its last event.
        """
        spent = UsageShare()
        sessions = 0
        session_start: float | None = None
        last_ts: float | None = None
        wall = 0.0
        for event in self.events():
            ts = event.get("ts")
            ts = float(ts) if isinstance(ts, int | float) else last_ts
            kind = event.get("kind")
            if kind == "run_started":
                if session_start is not None and last_ts is not None:  # a killed session
                    wall += max(0.0, last_ts - session_start)
                sessions += 1
                session_start = ts
            elif kind == "run_finished":
                if session_start is not None and ts is not None:
                    wall += max(0.0, ts - session_start)
                session_start = None
            elif kind == "llm_response":
                raw = event.get("usage")
                usage: dict[str, Any] = raw if isinstance(raw, dict) else {}
                if event.get("cache_hit"):
                    spent.cache_hits += 1
                else:
                    spent.llm_calls += 1
                    spent.prompt_tokens += int(usage.get("prompt_tokens") or 0)
                    spent.completion_tokens += int(usage.get("completion_tokens") or 0)
                    spent.cost_usd += float(usage.get("cost_usd") or 0.0)
            last_ts = ts
        if session_start is not None and last_ts is not None:
            wall += max(0.0, last_ts - session_start)
        spent.cost_usd = round(spent.cost_usd, 6)
        spent.duration_s = round(wall, 3)
        return spent, sessions

    def first_event(self, kind: str) -> dict[str, Any] | None:
        """The earliest event of ``kind`` (e.g. the first ``run_started``, with its backend)."""
        for event in self.events():
            if event.get("kind") == kind:
                return event
        return None

    def _task_path(self, task_id: str) -> Path:
        return self._tasks_dir / (quote(task_id, safe="") + ".json")

    def save_task(self, task_id: str, result: dict[str, Any]) -> None:
        """Persist a finished task's result atomically, so a resumed run can skip the task."""
        self._tasks_dir.mkdir(parents=True, exist_ok=True)
        payload = redact_record({"task_id": task_id, "result": result}, self._secrets())
        atomic_write_text(self._task_path(task_id), _dumps(payload))

    def load_task(self, task_id: str) -> dict[str, Any] | None:
        """A saved result, or None when the task never finished (or its file is unreadable)."""
        path = self._task_path(task_id)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
            log.warning("journal: task result %s unreadable (%s); it will run again", path, error)
            return None
        result = payload.get("result") if isinstance(payload, dict) else None
        return result if isinstance(result, dict) else None

    def save_result(self, task_id: str, key: str, result: BaseModel, files: list[str]) -> None:
        """Persist a graph task's typed result as JSON, with its input key and files."""
        data = result.model_dump(mode="json", exclude_none=True, by_alias=True)
        self.save_task(task_id, {"key": key, "result": data, "files": files})

    def load_result(
        self, task_id: str, key: str, kind: type[_Result]
    ) -> tuple[_Result, list[str]] | None:
        """A saved result of ``kind`` and its files, when its input key is still ``key``.

        A result saved in a shape this version cannot read runs again, like a missing one.
        """
        saved = self.load_task(task_id)
        if saved is None or saved.get("key") != key:
            return None
        try:
            result = kind.model_validate(saved.get("result"))
        except ValidationError as error:
            log.warning(
                "journal: task result %s unreadable (%s); it will run again", task_id, error
            )
            return None
        return result, [str(name) for name in saved.get("files", [])]

    def finished_tasks(self) -> list[str]:
        """Ids of tasks with a saved, readable result."""
        if not self._tasks_dir.is_dir():
            return []
        found = (_stored_task_id(path) for path in sorted(self._tasks_dir.glob("*.json")))
        return [task_id for task_id in found if task_id is not None]

    def write_manifest(self, data: dict[str, Any]) -> Path:
        """Write ``manifest.json`` atomically (redacted); call again to update it."""
        payload = redact_record({"run_id": self.run_id, **data}, self._secrets())
        return atomic_write_text(
            self.run_dir / "manifest.json", json.dumps(payload, indent=2, default=str) + "\n"
        )

    @staticmethod
    def latest_run(workspace: Path) -> str | None:
        """The most recent run id in ``workspace``, or None (same as :func:`latest_run`)."""
        return latest_run(workspace)

    def manifest(self) -> dict[str, Any] | None:
        """The manifest, or None when the run never finished writing one."""
        try:
            data = json.loads((self.run_dir / "manifest.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None


def _stored_task_id(path: Path) -> str | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    task_id = payload.get("task_id") if isinstance(payload, dict) else None
    return task_id if isinstance(task_id, str) else None


def list_runs(workspace: Path) -> list[str]:
    """Run ids in creation order, oldest first."""
    parent = runs_dir(Path(workspace))
    if not parent.is_dir():
        return []
    runs = [path for path in parent.iterdir() if path.is_dir() and _RUN_ID.match(path.name)]
    runs.sort(key=lambda path: (path.name[:15], path.stat().st_mtime_ns))
    return [path.name for path in runs]


def latest_run(workspace: Path) -> str | None:
    """The most recent run id, or None when there is none."""
    runs = list_runs(workspace)
    return runs[-1] if runs else None
