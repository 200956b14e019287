"""Both surfaces resolve a folder's settings the same way: the spec's ``[llm]`` is a layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protosmith.services.workspace import SPEC_NAME, folder_settings, folder_spec
from protosmith.settings import ENV_PREFIX, SettingsOverrides

SPEC = (
    '[project]\nname = "demo"\nlanguages = ["python"]\n'
    '\n[[scenarios]]\nname = "add"\nacceptance = ["an item can be added"]\n'
    '\n[llm]\nbackend = "openai"\nmodel = "from-spec"\n'
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a valid spec, no user config file and no PROTOSMITH_* variables."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)
    workspace = tmp_path / "work"
    workspace.mkdir()
    (workspace / SPEC_NAME).write_text(SPEC, encoding="utf-8")
    return workspace


def test_the_spec_llm_table_applies_without_editor_or_flags(folder: Path) -> None:
    settings, problems = folder_settings(folder)
    assert problems == []
    assert (settings.backend, settings.model) == ("openai", "from-spec")


def test_the_editor_is_under_the_spec_and_the_command_line_over_it(folder: Path) -> None:
    settings, _ = folder_settings(
        folder, SettingsOverrides(editor={"model": "from-editor", "concurrency": 2})
    )
    assert (settings.model, settings.concurrency) == ("from-spec", 2)
    settings, _ = folder_settings(folder, SettingsOverrides(command_line={"model": "from-flag"}))
    assert settings.model == "from-flag"


def test_an_invalid_spec_is_no_layer(folder: Path) -> None:
    (folder / SPEC_NAME).write_text('[llm]\nmodel = "from-spec"\n', encoding="utf-8")
    assert folder_spec(folder) is None
    settings, _ = folder_settings(folder)
    assert settings.model is None
