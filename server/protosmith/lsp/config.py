"""Editor settings: ``protosmith.*`` read per workspace folder through workspace/configuration.

Settings are pulled after ``initialized`` and again on every ``didChangeConfiguration``, so a
change takes effect on the next request without a restart. Clients that cannot answer
workspace/configuration (or answer nothing) fall back to ``initializationOptions`` and to the
payload of ``didChangeConfiguration``. Invalid values never crash: one warning names them and the
defaults are used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protosmith.settings import Settings, SettingsOverrides, resolve_settings

SECTION = "protosmith"
log = logging.getLogger("protosmith.lsp.config")


@dataclass
class FolderSettings:
    """What one workspace folder's editor settings resolved to."""

    settings: Settings
    raw: dict[str, Any] = field(default_factory=dict)
    """The normalized editor payload, to re-resolve with a spec's ``[llm]`` table."""
    editor_keys: set[str] = field(default_factory=set)
    """Field names the editor set validly; generate passes their effective values on."""
    problems: list[str] = field(default_factory=list)


def normalize(raw: Any) -> dict[str, Any]:
    """Unwrap the ``protosmith`` section and expand dotted keys (``review.onSave``) into tables."""
    if not isinstance(raw, Mapping):
        return {}
    if SECTION in raw and isinstance(raw[SECTION], Mapping):
        raw = raw[SECTION]
    nested: dict[str, Any] = {}
    for key, value in raw.items():
        parts = str(key).split(".")
        target = nested
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        if isinstance(value, Mapping) and isinstance(target.get(parts[-1]), dict):
            target[parts[-1]].update(value)
        else:
            target[parts[-1]] = dict(value) if isinstance(value, Mapping) else value
    return nested


def resolve(raw: Any, *, spec_llm: Mapping[str, Any] | None = None) -> FolderSettings:
    """Resolve editor settings on top of env, user config and defaults; collect problems."""
    editor = normalize(raw)
    settings, problems = resolve_settings(SettingsOverrides(editor=editor), spec_llm)
    alone, _ = resolve_settings(SettingsOverrides(editor=editor, env={}, config_file=_NO_FILE))
    return FolderSettings(settings, editor, set(alone.model_fields_set), problems)


_NO_FILE = Path(os.devnull)
"""Not a regular file, so the editor-only pass skips the user config file."""


class ConfigStore:
    """Per-folder settings plus the last raw payloads, for clients that push instead of pull."""

    def __init__(self) -> None:
        self._by_folder: dict[str, FolderSettings] = {}
        self.pushed: Any = None
        """Settings from initializationOptions or didChangeConfiguration, used when pull fails."""
        self._shown: set[str] = set()
        self.default = resolve(None)

    def update(self, folder_uri: str, raw: Any) -> FolderSettings:
        """Store the folder's settings resolved from ``raw`` (or the pushed fallback)."""
        if raw is None or raw == {} or raw == []:
            raw = self.pushed
        resolved = resolve(raw)
        self._by_folder[folder_uri] = resolved
        return resolved

    def get(self, folder_uri: str | None) -> FolderSettings:
        """Settings for a folder, falling back to the pushed or default settings."""
        if folder_uri is not None and folder_uri in self._by_folder:
            return self._by_folder[folder_uri]
        if self.pushed is not None:
            return resolve(self.pushed)
        return self.default

    def new_problems(self, resolved: FolderSettings) -> list[str]:
        """Problems not yet shown to the user, so one bad value gives one message, not many."""
        fresh = [problem for problem in resolved.problems if problem not in self._shown]
        self._shown.update(fresh)
        return fresh
