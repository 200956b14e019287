"""Typed settings, parsed once from layered sources.

Precedence, highest first: CLI flags, ``PROTOSMITH_*`` environment variables, the spec's
``[llm]`` table, the user config file (``$XDG_CONFIG_HOME/protosmith/config.toml``), defaults.
Invalid values never crash: they produce one message each and fall back to the default.
API keys are never settings: only the *name* of the environment variable that holds one.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from protosmith.llm.base import StructuredMode


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
    *,
    cli: Mapping[str, Any] | None = None,
    spec_llm: Mapping[str, Any] | None = None,
    editor: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> tuple[Settings, list[str]]:
    """Merge the sources and validate each value; return settings and human-readable problems."""
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
