"""Typed settings, parsed once from layered sources.

Precedence, highest first: CLI flags, ``PROTOSMITH_*`` environment variables, the spec's
``[llm]`` table, the user config file (``$XDG_CONFIG_HOME/protosmith/config.toml``), defaults.
Invalid values never crash: they produce one message each and fall back to the default.
API keys are never settings: only the *name* of the environment variable that holds one.

:func:`resolve_settings` is the only resolver: every surface (the commands, the language server,
the pipeline) passes what it was told as a :class:`SettingsOverrides` plus the spec's ``[llm]``
table, so precedence is decided in one place. This module sits at the ground floor (the LLM
backends read their settings from it), hence :class:`StructuredMode` lives here too.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError


class StructuredMode(StrEnum):
    """How a backend constrains replies to a JSON Schema."""

    JSON_SCHEMA = "json_schema"
    """OpenAI ``response_format={"type": "json_schema", ...}`` (OpenAI, vLLM, llama-server)."""
    JSON_OBJECT = "json_object"
    """``{"type": "json_object", "schema": ...}`` (llama-cpp-python, llama_cpp.server)."""
    NONE = "none"
    """No constraint: the prompt asks for JSON and pydantic validates the reply."""


class ReviewSettings(BaseModel):
    """Review behaviour in the editor."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)

    onSave: bool = True
    """Run the cheap static review when a source file is opened or saved."""
    llm: bool = False
    """Let `protosmith.review` also ask the LLM (slower; static review is always on)."""


class Settings(BaseModel):
    """Effective protosmith settings."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True, populate_by_name=True)

    backend: Literal["local", "openai", "scripted"] = "local"
    """local (embedded llama.cpp) or openai (any OpenAI-compatible endpoint)."""
    model: str | None = None
    """GGUF path for local (default: the embedded Gemma 3 270M), or a model name for openai."""
    base_url: str | None = Field(default=None, alias="baseUrl")
    """Base URL of an OpenAI-compatible endpoint."""
    api_key_env: str = Field(default="OPENAI_API_KEY", alias="apiKeyEnv")
    """Environment variable holding the API key."""
    structured_mode: StructuredMode | None = Field(default=None, alias="structuredMode")
    """json_schema, json_object or none; default chosen per backend."""
    concurrency: int = Field(default=4, ge=1, le=64)
    """Maximum tasks in flight; the backend's parallel slots also bound it."""
    max_tokens: int | None = Field(default=None, ge=64, le=1_048_576, alias="maxTokens")
    """Completion limit per LLM call; default 16384, or less when the model's output limit or
    context window is smaller."""
    context_tokens: int | None = Field(default=None, ge=512, alias="contextTokens")
    """The model's context window (prompt + completion); default: what the endpoint reports,
    else a table of known models, else 32768 (local: nCtx)."""
    max_context_tokens: int | None = Field(default=None, ge=512, alias="maxContextTokens")
    """Cap on the prompt budget per call; default: the context window minus the completion limit."""
    timeout_s: float = Field(default=600.0, gt=0, alias="timeout")
    """Per-request timeout for remote endpoints, in seconds (long replies take minutes)."""
    max_retries: int = Field(default=2, ge=0, le=10, alias="maxRetries")
    """Bounded retries for connection errors, 429 and 5xx."""
    n_ctx: int = Field(default=8192, ge=512, alias="nCtx")
    """Context size for the local model."""
    n_gpu_layers: int | None = Field(default=None, alias="nGpuLayers")
    """Layers offloaded to the GPU; default: all when offload is supported, else 0."""
    chat_format: str | None = Field(default=None, alias="chatFormat")
    """Override the chat template the local model uses (gemma, chatml, llama-3...)."""
    seed: int | None = Field(default=None, ge=0, le=2**32 - 2)
    """Sampling seed for the local model, so a run can be repeated (default: a random one)."""
    script: str | None = None
    """Test only: path of the scripted backend's script (needs PROTOSMITH_ALLOW_SCRIPTED=1)."""
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    """Editor review behaviour."""
    trace: Literal["off", "messages", "verbose"] = "off"
    """How much the server logs."""
    log_file: str | None = Field(default=None, alias="logFile")
    """Optional log file for the language server."""

    _sources: dict[str, str] = PrivateAttr(default_factory=dict)

    def source(self, name: str) -> str:
        """Where the value of field ``name`` came from ("default" when nobody set it)."""
        return self._sources.get(name, "default")

    def is_set(self, name: str) -> bool:
        """True when a user source (flag, variable, spec, editor, config file) set ``name``."""
        return name in self._sources


ENV_PREFIX = "PROTOSMITH_"
_ENV_KEYS = {
    "backend": "BACKEND",
    "model": "MODEL",
    "base_url": "BASE_URL",
    "api_key_env": "API_KEY_ENV",
    "structured_mode": "STRUCTURED_MODE",
    "concurrency": "CONCURRENCY",
    "max_tokens": "MAX_TOKENS",
    "context_tokens": "CONTEXT_TOKENS",
    "max_context_tokens": "MAX_CONTEXT_TOKENS",
    "timeout_s": "TIMEOUT",
    "max_retries": "MAX_RETRIES",
    "n_ctx": "N_CTX",
    "n_gpu_layers": "N_GPU_LAYERS",
    "chat_format": "CHAT_FORMAT",
    "seed": "SEED",
    "script": "SCRIPT",
}


SETTING_FLAGS = ("backend", "model", "base_url", "max_tokens", "timeout_s", "context_tokens")
"""Flags that are settings: they override ``PROTOSMITH_*`` variables, the spec and config files."""


class SettingsOverrides(BaseModel):
    """What one surface was told explicitly, by source; :func:`resolve_settings` ranks them.

    The values stay as the user gave them (snake_case or the editor's camelCase names): each is
    validated once, by :func:`resolve_settings`, so a bad one becomes a message, never a crash.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    command_line: dict[str, Any] = Field(default_factory=dict)
    """Command-line flags, and what a caller ranks with them (a resumed run's backend, the
    editor's effective values handed to a generation it starts). Highest precedence."""
    editor: dict[str, Any] = Field(default_factory=dict)
    """The editor's ``protosmith.*`` settings: below the variables and the spec, above the
    user config file."""
    env: dict[str, str] | None = None
    """The environment to read ``PROTOSMITH_*`` from; ``None``: the process's."""
    config_file: Path | None = None
    """The user config file; ``None``: the usual place (see :func:`user_config_path`)."""

    @classmethod
    def from_args(cls, args: object) -> SettingsOverrides:
        """The setting flags given on the command line (unset flags are left to the others)."""
        given = {key: vars(args).get(key) for key in SETTING_FLAGS}
        return cls(command_line={key: value for key, value in given.items() if value is not None})


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the user config file lives."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "protosmith" / "config.toml"


def _canonical(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept both snake_case and the editor's camelCase names."""
    aliases = {field.alias: name for name, field in Settings.model_fields.items() if field.alias}
    return {aliases.get(key, key): value for key, value in raw.items() if value is not None}


def resolve_settings(
    overrides: SettingsOverrides | None = None,
    spec_llm: Mapping[str, Any] | BaseModel | None = None,
    *,
    cli: Mapping[str, Any] | None = None,
    editor: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> tuple[Settings, list[str]]:
    """Merge the sources and validate each value; return settings and human-readable problems.

    ``overrides`` is what the calling surface was told, ``spec_llm`` the spec's ``[llm]`` table
    (the model or its dump); the keyword arguments ``cli``,
    ``editor``, ``env`` and ``config_file`` are the same fields spelled one by one (older
    callers), and win over the ones in ``overrides``.
    """
    overrides = overrides or SettingsOverrides()
    cli = overrides.command_line if cli is None else cli
    editor = overrides.editor if editor is None else editor
    env = overrides.env if env is None else env
    config_file = overrides.config_file if config_file is None else config_file
    if isinstance(spec_llm, BaseModel):
        spec_llm = spec_llm.model_dump(exclude_none=True)
    env = os.environ if env is None else env
    problems: list[str] = []
    layers: list[tuple[str, dict[str, Any]]] = []
    path = config_file if config_file is not None else user_config_path(env)
    if path.is_file():
        try:
            layers.append((str(path), _canonical(tomllib.loads(path.read_text(encoding="utf-8")))))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            problems.append(f"{path}: ignored ({error})")
    if editor:
        layers.append(("editor setting", _canonical(editor)))
    if spec_llm:
        layers.append(("spec [llm]", _canonical(spec_llm)))
    for name, key in _ENV_KEYS.items():
        if env.get(ENV_PREFIX + key):
            layers.append((ENV_PREFIX + key, {name: env[ENV_PREFIX + key]}))
    if cli:
        layers.append(("command line", _canonical(cli)))
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for source, layer in layers:
        merged.update(layer)
        sources.update(dict.fromkeys(layer, source))
    return _validate_each(merged, problems, sources)


def _validate_each(
    merged: dict[str, Any], problems: list[str], sources: dict[str, str] | None = None
) -> tuple[Settings, list[str]]:
    accepted: dict[str, Any] = {}
    for key, value in merged.items():
        if key not in Settings.model_fields:
            continue
        try:
            Settings.model_validate({**accepted, key: value})
        except ValidationError as error:
            reason = error.errors()[0]["msg"]
            problems.append(f"setting {key}={value!r} is invalid ({reason}); using the default")
            continue
        accepted[key] = value
    settings = Settings.model_validate(accepted)
    settings._sources = {key: (sources or {}).get(key, "caller") for key in accepted}
    return settings, problems
