"""Token, cost and time accounting per agent and per run, and the budget that stops a run.

The check runs before every real LLM call (cache hits are free), so a run stops at the first
call that would start over a limit, and everything finished so far stays journaled for
``--resume``. A resumed run starts from the ledger of its earlier sessions (``prior``), so the
limits apply to the whole run: a spent budget stays spent until it is raised.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal

from protosmith.llm.base import Usage
from protosmith.pipeline.api import UsageShare
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

    ``clock`` is injectable so time limits are testable without waiting. ``prior`` is what the
    run's earlier sessions spent (see :meth:`Journal.ledger`); ``total`` stays this session's
    usage, and the limits are checked against ``prior`` plus this session.
    """

    def __init__(
        self,
        budget: Budget,
        *,
        clock: Callable[[], float] = time.monotonic,
        run_id: str | None = None,
        prior: UsageShare | None = None,
        prior_sessions: int = 0,
    ) -> None:
        self.budget = budget
        self.run_id = run_id
        self.prior = prior or UsageShare()
        self.prior_sessions = prior_sessions
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

    def session(self, *, cache_hits: int = 0) -> UsageShare:
        """This session's usage so far."""
        total = self.total
        return UsageShare(
            llm_calls=self.calls,
            cache_hits=cache_hits,
            prompt_tokens=total.prompt_tokens,
            completion_tokens=total.completion_tokens,
            cost_usd=round(total.cost_usd, 6),
            priced=total.priced,
            duration_s=round(self.elapsed_s, 3),
        )

    def run_total(self, *, cache_hits: int = 0) -> UsageShare:
        """The run's ledger: every earlier session plus this one."""
        return self.prior.plus(self.session(cache_hits=cache_hits))

    def _spent_where(self) -> str:
        if not self.prior_sessions:
            return ""
        return f" over {self.prior_sessions + 1} sessions of this run"

    def check(self) -> None:
        """Raise :class:`BudgetExceeded` when any limit is spent; cheap enough for every call.

        The limits cover the whole run, earlier sessions included, so resuming does not reset
        them: the message says to raise the limit before resuming.
        """
        budget = self.budget
        hint = _resume_hint(self.run_id)
        spent = self.run_total()
        where = self._spent_where()
        tokens = spent.tokens
        if budget.max_tokens is not None and tokens >= budget.max_tokens:
            raise BudgetExceeded(
                "max_tokens",
                f"token budget spent: {tokens} of max_tokens={budget.max_tokens} used{where}. "
                f"Raise [budget] max_tokens in protosmith.toml, then run `{hint}`.",
            )
        cost = spent.cost_usd
        if budget.max_usd is not None and cost > 0 and cost >= budget.max_usd:
            raise BudgetExceeded(
                "max_usd",
                f"cost budget spent: ${cost:.4f} of max_usd={budget.max_usd} used{where}. "
                f"Raise [budget] max_usd in protosmith.toml, then run `{hint}`.",
            )
        minutes = spent.duration_s / 60.0
        if budget.max_minutes is not None and minutes >= budget.max_minutes:
            raise BudgetExceeded(
                "max_minutes",
                f"time budget spent: {minutes:.1f} of max_minutes={budget.max_minutes} "
                f"minutes{where}. Raise [budget] max_minutes in protosmith.toml, then run `{hint}`.",
            )

    def snapshot(self, *, cache_hits: int = 0) -> dict[str, Any]:
        """Plain data for the manifest: the run's ledger, this session's share, per agent."""
        return {
            "total": self.run_total(cache_hits=cache_hits).model_dump(),
            "session": self.session(cache_hits=cache_hits).model_dump(),
            "previous_sessions": self.prior.model_dump(),
            "sessions": self.prior_sessions + 1,
            "estimated": self.total.estimated,
            "calls": self.calls,
            "elapsed_s": round(self.elapsed_s, 3),
            "per_agent": {
                agent: {**usage.model_dump(), "calls": self.calls_per_agent.get(agent, 0)}
                for agent, usage in sorted(self.per_agent.items())
            },
        }
