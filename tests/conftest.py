"""Shared test configuration: keep tests hermetic (no user config, no real keys)."""

from __future__ import annotations

import os
import sys
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
