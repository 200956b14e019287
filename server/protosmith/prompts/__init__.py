"""Prompt templates are package data (``*.j2`` beside this file), rendered with StrictUndefined.

Keeping LLM-facing text out of control flow makes prompts reviewable and diffable, and
StrictUndefined turns a missing variable into an error instead of a silently empty prompt.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    def load(name: str) -> str:
        return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")

    return jinja2.Environment(  # protosmith: ignore[PS307] prompts are plain text, not HTML
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **variables: Any) -> str:
    """Render ``prompts/<template>`` (e.g. ``"architecture_system.j2"``) with ``variables``."""
    return _environment().get_template(template).render(**variables)
