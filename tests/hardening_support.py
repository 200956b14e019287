"""Shared pieces of the hardening tests: workspaces, snapshots, fault injection, counts.

Everything here drives real parts: the real pipeline, the real safe writer and journal,
the scripted team (``scripted_team.Team``) standing in for a capable model, and a real
loopback HTTP server for the OpenAI backend. Nothing of protosmith's own is replaced.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protosmith.llm.base import Completion, CompletionRequest
from protosmith.llm.errors import BackendError
from protosmith.llm.scripted import Reply
from protosmith.pipeline.api import GenerateOptions, RunSummary
from protosmith.pipeline.journal import Journal
from protosmith.pipeline.service import generate
from scripted_team import Team, wire_request

ROOT = Path(__file__).resolve().parent.parent
HELLO = ROOT / "examples" / "hello" / "protosmith.toml"
DIAMOND = ROOT / "tests" / "workspaces" / "pipeline" / "diamond" / "protosmith.toml"
SPEC_CORPUS = ROOT / "tests" / "spec_corpus"
STATE_DIR = ".protosmith"


def small_spec_text(layout: str = "core; orders>core") -> str:
    """The diamond spec with a smaller team layout (two components by default)."""
    text = DIAMOND.read_text(encoding="utf-8")
    old = 'team_layout = "core; catalog>core; pricing>core; orders>catalog,pricing; api>orders; audit"'
    assert old in text
    return text.replace(old, f'team_layout = "{layout}"')


def task_of(body: dict[str, Any]) -> str:
    """The pipeline task a chat-completions body belongs to (architecture, interface:X, ...)."""
    import re

    messages = body["messages"]
    agent = agent_of(messages)
    text = "\n".join(str(m.get("content", "")) for m in messages)
    found = re.search(r'the component "([^"]+)"', text)
    component = found.group(1) if found else "?"
    if agent == "implementation":
        kind = "interface" if "Design the public interface" in text else "implement"
        return f"{kind}:{component}"
    if agent == "testing":
        return f"tests:{component}"
    if agent == "repair":
        return f"verify:{component}"
    return {"documentation": "docs"}.get(agent, agent)


def stress() -> bool:
    """True under ``make stress`` (``PROTOSMITH_STRESS=1``): run the full counts."""
    return os.environ.get("PROTOSMITH_STRESS", "") not in ("", "0")


def count(quick: int, full: int) -> int:
    """``full`` under ``make stress``, else ``quick`` (what ``make test`` runs)."""
    return full if stress() else quick


def make_workspace(parent: Path, source: Path = HELLO, text: str | None = None) -> Path:
    """A fresh workspace folder ``parent/ws`` holding a copy of ``source``; returns the spec path."""
    workspace = parent / "ws"
    workspace.mkdir(parents=True, exist_ok=True)
    spec = workspace / "protosmith.toml"
    if text is None:
        shutil.copy(source, spec)
    else:
        spec.write_text(text, encoding="utf-8")
    return spec


async def run_generate(
    spec: Path,
    backend: Any,
    *,
    resume: str | None = None,
    concurrency: int | None = None,
    settings: dict[str, Any] | None = None,
    progress: Any = None,
    run_tests: bool = False,
    review: bool = True,
) -> RunSummary:
    """One ``generate`` call on ``spec``; by default generated tests are not executed (no toolchain
    needed)."""
    options = GenerateOptions(
        spec_path=spec,
        workspace=spec.parent,
        resume=resume,
        concurrency=concurrency,
        cli_settings=settings or {},
    )
    return await generate(
        options, backend=backend, progress=progress, run_tests=run_tests, review=review
    )


def output_files(workspace: Path, output: str = "prototype") -> dict[str, bytes]:
    """Every regular file under the output folder (symlinks excluded), by relative path."""
    root = workspace / output
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def temp_files(root: Path) -> list[Path]:
    """Temporary files a writer left behind (``.name.XXXX.tmp``)."""
    return [path for path in root.rglob("*.tmp") if not path.is_symlink()]


def tree_outside(root: Path, workspace: Path) -> dict[str, tuple[str, bytes]]:
    """Everything under ``root`` except what protosmith may write (output and state folders)."""
    allowed = (workspace / "prototype", workspace / STATE_DIR)
    found: dict[str, tuple[str, bytes]] = {}
    for path in sorted(root.rglob("*")):
        if any(path == a or a in path.parents for a in allowed):
            continue
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[key] = ("link", os.readlink(path).encode())
        elif path.is_file():
            found[key] = ("file", path.read_bytes())
        else:
            found[key] = ("dir", b"")
    return found


def journal_events(workspace: Path, run_id: str) -> list[dict[str, Any]]:
    """The run's events as a resumed run would read them."""
    return Journal.open(workspace, run_id).events()


def agent_of(messages: list[dict[str, Any]]) -> str:
    """Which agent sent an OpenAI-format request (the agent name never goes over the wire)."""
    text = "\n".join(str(m.get("content", "")) for m in messages)
    for agent in ("architecture", "implementation", "testing", "documentation", "repair"):
        if f"You are the {agent} agent" in text:
            return agent
    return "unknown"


def team_reply_for_wire(team: Team, body: dict[str, Any]) -> str:
    """The scripted team's reply to a chat-completions body received by the fake server."""
    return team.reply(wire_request(body))


# -- bad model output ------------------------------------------------------------------------

HOSTILE_PATHS = (
    "../../x.py",
    "../escape.py",
    "/etc/passwd",
    "C:\\x.py",
    "C:/x.py",
    "..\\..\\x.py",
    "a/../../x.py",
    "./../x.py",
    "x\x00y.py",
    "nul\x00",
    "\x01bell.py",
    "tab\tname.py",
    "line\nbreak.py",
    "link/pwned.py",
    "evil.py",
    "//server/share/x.py",
    "\\\\server\\share\\x.py",
    "a" * 300 + ".py",
    "",
    " ",
    "dir/",
    ".",
    "..",
)
"""Paths a hostile or broken model may put in a file entry (``link`` and ``evil.py`` are
symlinks the tests pre-create in the component folder, pointing outside the workspace)."""

FAULT_KINDS = (
    "truncated",
    "not_json",
    "wrong_shape",
    "enormous",
    "control",
    "hostile_paths",
    "backend_error",
)


@dataclass
class Fault:
    """One bad reply: its kind plus the free parameters hypothesis draws for it."""

    kind: str
    text: str = ""
    cut: int = 0
    paths: tuple[str, ...] = ()


def corrupt(fault: Fault, good: str, agent: str) -> Reply:
    """The bad reply ``fault`` makes from the good reply ``good`` of ``agent``."""
    if fault.kind == "truncated":
        cut = fault.cut % max(1, len(good))
        return Completion(text=good[:cut], finish_reason="length")
    if fault.kind == "not_json":
        return fault.text or "Sure! Here is the code you asked for."
    if fault.kind == "wrong_shape":
        shapes: list[Any] = [
            [],
            42,
            None,
            "files",
            {"files": "main.py"},
            {"files": [{"name": "x.py"}]},
            {"components": 7},
            {"files": [{"path": 1, "content": []}]},
            {fault.text[:20] or "k": fault.cut},
        ]
        return json.dumps(shapes[fault.cut % len(shapes)])
    if fault.kind == "enormous":
        unit = fault.text or "{"
        return unit * (1_000_000 // len(unit) + 1)
    if fault.kind == "control":
        noise = "".join(chr(c) for c in (0, 1, 7, 8, 11, 12, 27, 127)) + fault.text
        at = fault.cut % max(1, len(good))
        return good[:at] + noise + good[at:]
    if fault.kind == "hostile_paths":
        try:
            payload = json.loads(good)
        except json.JSONDecodeError:
            return good
        if not isinstance(payload, dict) or not isinstance(payload.get("files"), list):
            return good
        extra = [{"path": p, "content": "print('escaped')\n"} for p in fault.paths]
        payload["files"] = [*payload["files"], *extra]
        return json.dumps(payload)
    if fault.kind == "backend_error":
        return BackendError(
            "scripted transient failure", hint="retry", retryable=bool(fault.cut % 2)
        )
    raise ValueError(f"unknown fault kind {fault.kind!r}")


@dataclass
class FaultyTeam:
    """The scripted team with faults served on chosen calls (by call number, from 0)."""

    schedule: dict[int, Fault]
    team: Team = field(default_factory=Team)
    calls: int = 0
    served: list[str] = field(default_factory=list)
    hostile_paths_sent: int = 0

    def reply(self, request: CompletionRequest) -> Reply:
        index = self.calls
        self.calls += 1
        good = self.team.reply(request)
        fault = self.schedule.get(index)
        if fault is None:
            return good
        bad = corrupt(fault, good, request.agent)
        if bad is good:
            return good
        self.served.append(fault.kind)
        if fault.kind == "hostile_paths":
            self.hostile_paths_sent += len(fault.paths)
        return bad


@dataclass
class Tally:
    """Counts reported by the hardening tests (printed with ``-s``, summed in the report)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + value

    def line(self, title: str) -> str:
        parts = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
        return f"[hardening] {title}: {parts}"


ReplyFunction = Callable[[CompletionRequest], Reply]
