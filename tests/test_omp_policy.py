"""The local worker's OpenMP wait policy follows the machine's load; the user's choice wins."""

from __future__ import annotations

import os

import pytest

from protosmith.llm import device
from protosmith.llm.local import _worker_environment


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})


def test_idle_machine_spins_busy_machine_waits_passively(two_cores, monkeypatch) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert device.omp_wait_policy(2) is None
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert device.omp_wait_policy(2) == "PASSIVE"
    assert device.omp_wait_policy(1) is None  # one thread still has a free core


def test_worker_environment_respects_the_user(two_cores, monkeypatch) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (3.0, 3.0, 3.0))
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    assert _worker_environment()["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert _worker_environment()["OMP_WAIT_POLICY"] == "ACTIVE"
    monkeypatch.delenv("OMP_WAIT_POLICY")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert "OMP_WAIT_POLICY" not in _worker_environment()
