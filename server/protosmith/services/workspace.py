"""A workspace folder's spec and the settings it resolves to, the same for both surfaces.

The spec's ``[llm]`` table is one of the settings layers: the editor's review and the CLI's
``review``/``refine`` resolve through :func:`folder_settings`, so a model chosen in the spec is
the model both use.
"""

from __future__ import annotations

from pathlib import Path

from protosmith.settings import Settings, SettingsOverrides, resolve_settings
from protosmith.spec.loader import load_spec
from protosmith.spec.model import Spec

SPEC_NAME = "protosmith.toml"


def folder_spec(folder: Path) -> Spec | None:
    """The folder's spec when it exists and is valid."""
    spec_path = folder / SPEC_NAME
    return load_spec(spec_path).spec if spec_path.is_file() else None


def folder_settings(
    folder: Path, overrides: SettingsOverrides | None = None
) -> tuple[Settings, list[str]]:
    """Settings for work in ``folder``: user config, editor, the spec's ``[llm]``, env, CLI.

    One resolution per request; the problems are the caller's to show (each surface its way).
    """
    spec = folder_spec(folder)
    return resolve_settings(overrides, spec.llm if spec is not None else None)
