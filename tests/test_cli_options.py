"""The command line's options: every one described, and the limit flags feed the settings."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from protosmith.cli import build_parser, settings_overrides
from protosmith.settings import resolve_settings

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
    settings, problems = resolve_settings(
        cli=settings_overrides(args), env={}, config_file=tmp_path / "absent.toml"
    )
    assert problems == []
    assert (settings.max_tokens, settings.timeout_s, settings.context_tokens) == (2048, 45, 8192)
    assert settings.backend == "openai"
    for name in ("max_tokens", "timeout_s", "context_tokens", "backend"):
        assert settings.source(name) == "command line"


def test_flags_win_over_environment_variables(tmp_path: Path) -> None:
    args = build_parser().parse_args(["generate", "--timeout", "45"])
    env = {"PROTOSMITH_TIMEOUT": "900", "PROTOSMITH_MAX_TOKENS": "1024"}
    settings, _ = resolve_settings(
        cli=settings_overrides(args), env=env, config_file=tmp_path / "absent.toml"
    )
    assert settings.timeout_s == 45 and settings.source("timeout_s") == "command line"
    assert settings.max_tokens == 1024 and settings.source("max_tokens") == "PROTOSMITH_MAX_TOKENS"


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_limit_flags_refuse_nonsense(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["generate", "--max-tokens", value])
    assert stopped.value.code == 2
    assert "--max-tokens" in capsys.readouterr().err
