"""The command line's options: every one described, and the limit flags feed the settings."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from protosmith.cli import build_parser
from protosmith.settings import Settings, SettingsOverrides, resolve_settings

ROOT = Path(__file__).resolve().parent.parent

LIMIT_FLAGS = ["--max-tokens", "2048", "--timeout", "45", "--context-tokens", "8192"]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_option_and_argument_has_a_description() -> None:
    parser = build_parser()
    missing = [action.dest for action in parser._actions if not action.help]
    for name, command in _subparsers(parser).items():
        missing += [
            f"{name} {'/'.join(action.option_strings) or action.dest}"
            for action in command._actions
            if not action.help  # argparse.SUPPRESS (internal flags) is a help text too
        ]
    assert missing == []


@pytest.mark.parametrize(
    "command",
    [
        ["generate"],
        ["init", "a todo list"],
        ["review", "app.py"],
        ["refine", "app.py", "--instruction", "rename x"],
        ["doctor"],
    ],
)
def test_limit_flags_feed_the_settings_layer(command: list[str], tmp_path: Path) -> None:
    args = build_parser().parse_args([*command, *LIMIT_FLAGS, "--backend", "openai"])
    overrides = SettingsOverrides.from_args(args).model_copy(
        update={"env": {}, "config_file": tmp_path / "absent.toml"}
    )
    settings, problems = resolve_settings(overrides)
    assert problems == []
    assert (settings.max_tokens, settings.timeout_s, settings.context_tokens) == (2048, 45, 8192)
    assert settings.backend == "openai"
    for name in ("max_tokens", "timeout_s", "context_tokens", "backend"):
        assert settings.source(name) == "command line"


def test_flags_win_over_environment_variables(tmp_path: Path) -> None:
    args = build_parser().parse_args(["generate", "--timeout", "45"])
    env = {"PROTOSMITH_TIMEOUT": "900", "PROTOSMITH_MAX_TOKENS": "1024"}
    overrides = SettingsOverrides.from_args(args).model_copy(
        update={"env": env, "config_file": tmp_path / "absent.toml"}
    )
    settings, _ = resolve_settings(overrides)
    assert settings.timeout_s == 45 and settings.source("timeout_s") == "command line"
    assert settings.max_tokens == 1024 and settings.source("max_tokens") == "PROTOSMITH_MAX_TOKENS"


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_limit_flags_refuse_nonsense(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["generate", "--max-tokens", value])
    assert stopped.value.code == 2
    assert "--max-tokens" in capsys.readouterr().err


def _knob_table() -> list[list[str]]:
    """The rows of the README's "Running against a real endpoint" table, cells unquoted."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Running against a real endpoint", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


SAMPLES = {"contextTokens": "8192", "maxTokens": "2048", "timeout": "45", "concurrency": "3"}
"""A valid value per editor name (as text, the way an environment variable carries it)."""


def test_every_knob_the_readme_documents_exists(tmp_path: Path) -> None:
    rows = _knob_table()
    assert [row[0] for row in rows] == [
        "context window (prompt + completion)",
        "completion limit per call",
        "request timeout (s)",
        "concurrency",
        "structured-output mode",
    ]
    generate = _subparsers(build_parser())["generate"]
    flags = {option for action in generate._actions for option in action.option_strings}
    package = json.loads((ROOT / "editor-clients" / "vscode" / "package.json").read_text())
    vscode = set(package["contributes"]["configuration"]["properties"])
    fields = {field.alias or name: name for name, field in Settings.model_fields.items()}
    for _, flag, env, vscode_name, nvim_name, _default in rows:
        if flag != "(none)":
            assert flag.split()[0].strip("`") in flags, flag
        assert vscode_name.strip("`") in vscode, vscode_name
        editor, variable = nvim_name.strip("`"), env.strip("`")
        assert editor in fields, nvim_name
        settings, problems = resolve_settings(
            env={variable: SAMPLES.get(editor, "none")}, config_file=tmp_path / "absent.toml"
        )
        assert problems == [] and settings.source(fields[editor]) == variable, variable
