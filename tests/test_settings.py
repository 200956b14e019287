"""Settings: layering, camelCase aliases, and invalid values that degrade to defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from protosmith.settings import (
    Settings,
    SettingsOverrides,
    StructuredMode,
    resolve_settings,
    user_config_path,
)


@pytest.fixture
def no_config(tmp_path: Path) -> Path:
    return tmp_path / "absent" / "config.toml"


def test_defaults_without_any_source(no_config: Path) -> None:
    settings, problems = resolve_settings(env={}, config_file=no_config)
    assert problems == []
    assert settings == Settings()
    assert settings.backend == "local" and settings.concurrency == 4
    assert settings.api_key_env == "OPENAI_API_KEY"


def test_layers_in_precedence_order(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "from-config"\nconcurrency = 2\nnCtx = 4096\n')
    layers = {
        "editor": {"model": "from-editor", "trace": "messages"},
        "spec_llm": {"model": "from-spec", "base_url": "http://spec/v1"},
        "env": {"PROTOSMITH_MODEL": "from-env", "PROTOSMITH_TIMEOUT": "30"},
        "cli": {"model": "from-cli", "base_url": None},
    }
    settings, problems = resolve_settings(config_file=config, **layers)  # type: ignore[arg-type]
    assert problems == []
    assert settings.model == "from-cli"
    assert settings.base_url == "http://spec/v1"  # a None CLI flag does not erase a lower layer
    assert settings.timeout_s == 30.0
    assert settings.trace == "messages"
    assert (settings.concurrency, settings.n_ctx) == (2, 4096)
    expected = ["from-cli", "from-env", "from-spec", "from-editor", "from-config"]
    for drop, winner in zip(["cli", "env", "spec_llm", "editor"], expected[1:], strict=True):
        layers[drop] = {}
        settings, _ = resolve_settings(config_file=config, **layers)  # type: ignore[arg-type]
        assert settings.model == winner


def test_camel_case_and_snake_case_names(no_config: Path) -> None:
    editor = {
        "baseUrl": "http://localhost:8080/v1",
        "maxTokens": 4096,
        "apiKeyEnv": "MY_KEY",
        "structuredMode": "json_object",
        "nGpuLayers": 0,
        "review": {"onSave": False, "llm": True},
    }
    settings, problems = resolve_settings(editor=editor, env={}, config_file=no_config)
    assert problems == []
    assert settings.base_url == "http://localhost:8080/v1"
    assert settings.max_tokens == 4096 and settings.api_key_env == "MY_KEY"
    assert settings.structured_mode is StructuredMode.JSON_OBJECT
    assert settings.n_gpu_layers == 0
    assert settings.review.onSave is False and settings.review.llm is True
    snake, problems = resolve_settings(
        editor={"base_url": "http://x/v1", "max_tokens": 512}, env={}, config_file=no_config
    )
    assert problems == [] and (snake.base_url, snake.max_tokens) == ("http://x/v1", 512)


@pytest.mark.parametrize(
    ("source", "values", "field"),
    [
        ("env", {"PROTOSMITH_CONCURRENCY": "many"}, "concurrency"),
        ("env", {"PROTOSMITH_BACKEND": "gpt"}, "backend"),
        ("env", {"PROTOSMITH_STRUCTURED_MODE": "xml"}, "structured_mode"),
        ("cli", {"max_tokens": 10}, "max_tokens"),
        ("editor", {"timeout": -1}, "timeout_s"),
        ("editor", {"review": {"onSave": "sometimes"}}, "review"),
        ("spec_llm", {"backend": 3}, "backend"),
    ],
)
def test_invalid_value_gives_one_message_and_the_default(
    source: str, values: dict, field: str, no_config: Path
) -> None:
    kwargs: dict = {"env": {}, "config_file": no_config}
    kwargs[source] = values
    settings, problems = resolve_settings(**kwargs)
    assert len(problems) == 1
    assert field in problems[0] and "using the default" in problems[0]
    assert getattr(settings, field) == Settings.model_fields[field].get_default(
        call_default_factory=True
    )


def test_invalid_value_does_not_spoil_the_others(no_config: Path) -> None:
    settings, problems = resolve_settings(
        env={"PROTOSMITH_CONCURRENCY": "0", "PROTOSMITH_MODEL": "m"},
        cli={"n_ctx": 100, "trace": "verbose"},
        config_file=no_config,
    )
    assert len(problems) == 2
    assert (settings.model, settings.trace) == ("m", "verbose")
    assert (settings.concurrency, settings.n_ctx) == (4, 8192)


def test_broken_config_file_is_reported_and_ignored(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("model = [unclosed\n")
    settings, problems = resolve_settings(env={}, config_file=config)
    assert settings == Settings()
    assert len(problems) == 1 and str(config) in problems[0] and "ignored" in problems[0]


def test_config_file_location_follows_xdg(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert user_config_path(env) == tmp_path / "protosmith" / "config.toml"
    (tmp_path / "protosmith").mkdir()
    (tmp_path / "protosmith" / "config.toml").write_text('backend = "openai"\nmaxRetries = 5\n')
    settings, problems = resolve_settings(env=env)
    assert problems == [] and settings.backend == "openai" and settings.max_retries == 5


def test_unknown_keys_and_empty_env_values_are_ignored(no_config: Path) -> None:
    settings, problems = resolve_settings(
        editor={"colour": "red", "somethingElse": 1},
        env={"PROTOSMITH_MODEL": "", "PROTOSMITH_UNKNOWN": "x"},
        config_file=no_config,
    )
    assert problems == [] and settings == Settings()


def test_api_keys_never_become_settings(no_config: Path) -> None:
    secret = "sk-test-0123456789"
    settings, problems = resolve_settings(
        cli={"api_key": secret},
        editor={"apiKey": secret},
        env={"OPENAI_API_KEY": secret, "PROTOSMITH_API_KEY": secret},
        config_file=no_config,
    )
    assert secret not in settings.model_dump_json()
    assert all(secret not in problem for problem in problems)


def test_typed_overrides_rank_like_the_keyword_layers(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "from-config"\nconcurrency = 2\n')
    env = {"PROTOSMITH_TIMEOUT": "30"}
    overrides = SettingsOverrides(
        command_line={"model": "from-cli", "max_tokens": 10},
        editor={"model": "from-editor", "trace": "messages", "baseUrl": "http://editor/v1"},
        env=env,
        config_file=config,
    )
    spec_llm = {"base_url": "http://spec/v1"}
    typed = resolve_settings(overrides, spec_llm)
    by_keyword = resolve_settings(
        cli=overrides.command_line,
        editor=overrides.editor,
        spec_llm=spec_llm,
        env=env,
        config_file=config,
    )
    assert typed == by_keyword
    settings, problems = typed
    assert (settings.model, settings.base_url, settings.trace) == (
        "from-cli",
        "http://spec/v1",
        "messages",
    )
    assert (settings.timeout_s, settings.concurrency, settings.max_tokens) == (30.0, 2, None)
    assert settings.source("model") == "command line"
    assert len(problems) == 1 and "max_tokens=10" in problems[0]


def test_overrides_from_flags_keep_only_the_flags_given() -> None:
    from protosmith.cli import build_parser

    args = build_parser().parse_args(["review", "x.py", "--backend", "openai", "--model", "m"])
    overrides = SettingsOverrides.from_args(args)
    assert overrides.command_line == {"backend": "openai", "model": "m"}
    assert overrides.editor == {} and overrides.env is None


SPEC_WITH_LLM = (
    '[project]\nname = "demo"\nlanguages = ["python"]\n'
    '\n[[scenarios]]\nname = "add"\nacceptance = ["an item can be added"]\n'
    '\n[llm]\nmodel = "spec-model"\n'
)


def test_the_spec_table_may_be_passed_as_the_model(tmp_path: Path) -> None:
    from protosmith.spec.loader import load_spec_text

    overrides = SettingsOverrides(env={}, config_file=tmp_path / "none.toml")
    result = load_spec_text(SPEC_WITH_LLM, tmp_path / "protosmith.toml")
    assert result.spec is not None, result.problems
    from_model = resolve_settings(overrides, result.spec.llm)
    from_dump = resolve_settings(overrides, result.spec.llm.model_dump(exclude_none=True))
    assert from_model == from_dump and from_model[0].model == "spec-model"
