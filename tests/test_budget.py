"""Budget accounting: per agent and per run, and each limit stops with a resumable message."""

from __future__ import annotations

import pytest

from protosmith.llm.base import Usage
from protosmith.pipeline.budget import Accountant, BudgetExceeded
from protosmith.spec.model import Budget


class FakeClock:
    """A clock the test advances by hand (time itself is an input here, not our code)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_accounts_per_agent_and_total() -> None:
    accountant = Accountant(Budget())
    accountant.add("architecture", Usage(prompt_tokens=100, completion_tokens=20, cost_usd=0.01))
    accountant.add("implementation", Usage(prompt_tokens=50, completion_tokens=5, estimated=True))
    accountant.add("architecture", Usage(prompt_tokens=1, completion_tokens=1))
    assert accountant.total.prompt_tokens == 151
    assert accountant.total.completion_tokens == 26
    assert accountant.total.estimated
    assert accountant.per_agent["architecture"].prompt_tokens == 101
    assert accountant.per_agent["architecture"].cost_usd == pytest.approx(0.01)
    assert accountant.calls == 3
    snapshot = accountant.snapshot()
    assert snapshot["per_agent"]["architecture"]["calls"] == 2
    accountant.check()  # no limits: never raises


def test_token_limit() -> None:
    accountant = Accountant(Budget(max_tokens=100), run_id="20261125-091500-ab12")
    accountant.add("a", Usage(prompt_tokens=60, completion_tokens=39))
    accountant.check()
    accountant.add("a", Usage(prompt_tokens=1))
    with pytest.raises(BudgetExceeded) as caught:
        accountant.check()
    assert caught.value.limit == "max_tokens"
    message = str(caught.value)
    assert "max_tokens=100" in message
    assert "--resume 20261125-091500-ab12" in message


def test_cost_limit() -> None:
    accountant = Accountant(Budget(max_usd=0.5))
    accountant.add("a", Usage(cost_usd=0.49))
    accountant.check()
    accountant.add("a", Usage(cost_usd=0.02))
    with pytest.raises(BudgetExceeded, match="max_usd") as caught:
        accountant.check()
    assert caught.value.limit == "max_usd"
    assert "--resume RUN_ID" in str(caught.value)


def test_zero_cost_limit_allows_free_local_runs() -> None:
    accountant = Accountant(Budget(max_usd=0))
    accountant.add("a", Usage(prompt_tokens=10_000))
    accountant.check()
    accountant.add("a", Usage(cost_usd=0.0001))
    with pytest.raises(BudgetExceeded):
        accountant.check()


def test_time_limit() -> None:
    clock = FakeClock()
    accountant = Accountant(Budget(max_minutes=2), clock=clock)
    clock.now += 119
    accountant.check()
    clock.now += 1
    with pytest.raises(BudgetExceeded) as caught:
        accountant.check()
    assert caught.value.limit == "max_minutes"
    assert "max_minutes" in str(caught.value)
