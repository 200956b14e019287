"""Shared test configuration: keep tests hermetic (no user config, no real keys)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))


@pytest.fixture(autouse=True)
def _hermetic_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No user config file and no real API key leak into a test run."""
    config_home = tmp_path_factory.mktemp("xdg-config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    for name in list(os.environ):
        if name.startswith("PROTOSMITH_") and name != "PROTOSMITH_STRESS":
            monkeypatch.delenv(name, raising=False)
    # The suite keeps several processes busy: llama.cpp threads must not spin (the worker would
    # choose this itself from the load average, which lags behind a suite that just started).
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")


GUARD = TESTS / "guard"
sys.path.insert(0, str(GUARD))
import no_real_model  # noqa: E402  (tests/guard is on sys.path from here on)

no_real_model.install()


@pytest.fixture(autouse=True)
def _no_real_model(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test that is not marked ``slow`` fails if it (or a Python child) reaches a real model."""
    guarded = request.node.get_closest_marker("slow") is None
    no_real_model.active = guarded
    if guarded:
        monkeypatch.setenv(no_real_model.ENV, "1")
        path = os.environ.get("PYTHONPATH")
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(GUARD), path) if p))
    before = len(no_real_model.violations)
    yield
    no_real_model.active = True
    found = no_real_model.violations[before:]
    if found:
        pytest.fail("this test reached a real model: " + "; ".join(found), pytrace=False)
