"""The accepted-state store: the latest files of a task that passed (after repairs), by input key.

A re-run with the same inputs starts from it, never from the model's first reply: files a
repair fixed are never rewritten to their broken version.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, ValidationError

from protosmith.agents.models import ComponentCode, TestSuite
from protosmith.pipeline.journal import state_dir
from protosmith.pipeline.results import RepairRound
from protosmith.pipeline.run import RunContext
from protosmith.pipeline.writer import atomic_write_text

log = logging.getLogger(__name__)


class AcceptedState(BaseModel):
    """What one task's input last ended with: code, tests, and the repair rounds spent on it."""

    code: ComponentCode | None = None
    suite: TestSuite | None = None
    rounds: int = 0
    repaired: list[RepairRound] = []


def _accepted_path(ctx: RunContext, tid: str) -> Path | None:
    key = ctx.keys.get(tid)
    if not key:
        return None
    return state_dir(ctx.run.writer.workspace) / "accepted" / f"{key}.json"


def load_accepted(ctx: RunContext, tid: str) -> AcceptedState | None:
    """The latest accepted state of a task's files (after repairs), if this input had one."""
    path = _accepted_path(ctx, tid)
    if path is None:
        return None
    try:
        return AcceptedState.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, ValidationError) as error:
        log.warning("accepted state %s unreadable (%s); starting from the model", path, error)
        return None


def save_accepted(
    ctx: RunContext,
    tid: str,
    *,
    code: ComponentCode | None = None,
    suite: TestSuite | None = None,
    rounds: int | None = None,
    repaired: list[RepairRound] | None = None,
) -> None:
    """Record the latest accepted state of a task (atomically; merged with what was there)."""
    path = _accepted_path(ctx, tid)
    if path is None:
        return
    state = load_accepted(ctx, tid) or AcceptedState()
    if code is not None:
        state.code = code
    if suite is not None:
        state.suite = suite
    if rounds is not None:
        state.rounds = rounds
    if repaired is not None:
        state.repaired = list(repaired)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, state.model_dump_json(exclude_none=True))
