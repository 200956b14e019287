"""Token, cost and time accounting per agent and per run, and the budget that stops a run.

The check runs before every real LLM call (cache hits are free), so a run stops at the first
call that would start over a limit, and everything finished so far stays journaled for
``--resume``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal

from protosmith.llm.base import Usage
from protosmith.spec.model import Budget

Limit = Literal["max_tokens", "max_usd", "max_minutes"]


class BudgetExceeded(Exception):
    """A ``[budget]`` limit is spent; the run stops cleanly and can be resumed.

    ``limit`` names the spent limit. The scheduler attaches ``outcomes`` (task id to outcome)
    when it stops a graph because of this error.
    """

    def __init__(self, limit: Limit, message: str) -> None:
        super().__init__(message)
        self.limit: Limit = limit
        self.outcomes: dict[str, Any] | None = None


def _resume_hint(run_id: str | None) -> str:
    target = run_id if run_id else "RUN_ID"
    return f"protosmith generate --resume {target}"


class Accountant:
    """Adds up usage per agent and for the run, and enforces a :class:`Budget`.

    ``clock`` is injectable so time limits are testable without waiting.
    """

    def __init__(
        self,
        budget: Budget,
        *,
        clock: Callable[[], float] = time.monotonic,
        run_id: str | None = None,
    ) -> None:
        self.budget = budget
        self.run_id = run_id
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self.per_agent: dict[str, Usage] = {}
        self.calls_per_agent: dict[str, int] = {}
        self.total = Usage()

    @property
    def calls(self) -> int:
        """Real LLM calls accounted so far."""
        return sum(self.calls_per_agent.values())

    @property
    def elapsed_s(self) -> float:
        """Seconds since the accountant (the run) started."""
        return self._clock() - self._started

    def add(self, agent: str, usage: Usage) -> None:
        """Account one real call's usage to ``agent`` and to the run."""
        with self._lock:
            self.per_agent[agent] = self.per_agent.get(agent, Usage()) + usage
            self.calls_per_agent[agent] = self.calls_per_agent.get(agent, 0) + 1
            self.total = self.total + usage

    def check(self) -> None:
        """Raise :class:`BudgetExceeded` when any limit is spent; cheap enough for every call."""
        budget = self.budget
        hint = _resume_hint(self.run_id)
        tokens = self.total.prompt_tokens + self.total.completion_tokens
        if budget.max_tokens is not None and tokens >= budget.max_tokens:
            raise BudgetExceeded(
                "max_tokens",
                f"token budget spent: {tokens} of max_tokens={budget.max_tokens} used. "
                f"Raise [budget] max_tokens in protosmith.toml, then run `{hint}`.",
            )
        cost = self.total.cost_usd
        if budget.max_usd is not None and cost > 0 and cost >= budget.max_usd:
            raise BudgetExceeded(
                "max_usd",
                f"cost budget spent: ${cost:.4f} of max_usd={budget.max_usd} used. "
                f"Raise [budget] max_usd in protosmith.toml, then run `{hint}`.",
            )
        minutes = self.elapsed_s / 60.0
        if budget.max_minutes is not None and minutes >= budget.max_minutes:
            raise BudgetExceeded(
                "max_minutes",
                f"time budget spent: {minutes:.1f} of max_minutes={budget.max_minutes} minutes. "
                f"Raise [budget] max_minutes in protosmith.toml, then run `{hint}`.",
            )

    def snapshot(self) -> dict[str, Any]:
        """Plain data for the manifest and the run summary."""
        return {
            "total": self.total.model_dump(),
            "calls": self.calls,
            "elapsed_s": round(self.elapsed_s, 3),
            "per_agent": {
                agent: {**usage.model_dump(), "calls": self.calls_per_agent.get(agent, 0)}
                for agent, usage in sorted(self.per_agent.items())
            },
        }
