"""Model prices, so every run can say what it cost.

Prices are US dollars per 1M tokens (input, output). The built-in table is a snapshot of
OpenAI's public list prices; prices change, so users override or extend it:

- a TOML file at ``$XDG_CONFIG_HOME/protosmith/prices.toml`` (or the path in
  ``PROTOSMITH_PRICES_FILE``) with one table per model::

      [prices."gpt-4o"]
      input = 2.50
      output = 10.00

- or inline JSON in ``PROTOSMITH_PRICES``: ``{"my-model": {"input": 1.0, "output": 2.0}}``.

Names match exactly first, then by the longest table key that prefixes the model name
(``gpt-4o-2024-08-06`` costs what ``gpt-4o`` costs). Local models and unknown names cost 0.
"""

from __future__ import annotations

import json
import logging
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from protosmith.llm.base import Usage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Price:
    """Dollars per 1M input and output tokens."""

    input: float
    output: float


BUILTIN_PRICES: dict[str, Price] = {
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-4": Price(30.00, 60.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "o1": Price(15.00, 60.00),
    "o1-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
}


def prices_file(env: dict[str, str] | None = None) -> Path:
    """The user's price override file (it need not exist)."""
    env = dict(os.environ) if env is None else env
    explicit = env.get("PROTOSMITH_PRICES_FILE")
    if explicit:
        return Path(explicit)
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "protosmith" / "prices.toml"


def _parse(raw: object, source: str) -> dict[str, Price]:
    table: dict[str, Price] = {}
    if not isinstance(raw, dict):
        log.warning("%s: prices must be a table of models; ignored", source)
        return table
    for model, entry in raw.items():
        try:
            table[str(model)] = Price(float(entry["input"]), float(entry["output"]))
        except (KeyError, TypeError, ValueError):
            log.warning("%s: price of %r needs numeric input and output; ignored", source, model)
    return table


@lru_cache(maxsize=1)
def price_table() -> dict[str, Price]:
    """Built-in prices overlaid with the user's file and ``PROTOSMITH_PRICES``."""
    table = dict(BUILTIN_PRICES)
    path = prices_file()
    if path.is_file():
        try:
            table.update(
                _parse(tomllib.loads(path.read_text("utf-8")).get("prices", {}), str(path))
            )
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            log.warning("%s: ignored (%s)", path, error)
    inline = os.environ.get("PROTOSMITH_PRICES")
    if inline:
        try:
            table.update(_parse(json.loads(inline), "PROTOSMITH_PRICES"))
        except json.JSONDecodeError as error:
            log.warning("PROTOSMITH_PRICES is not JSON (%s); ignored", error)
    return table


def price_for(model: str) -> Price | None:
    """The price of ``model``: exact name, else the longest matching prefix, else None."""
    table = price_table()
    bare = model.rsplit("/", 1)[-1]
    if bare in table:
        return table[bare]
    matches = [key for key in table if bare.startswith(key + "-")]
    return table[max(matches, key=len)] if matches else None


def cost(model: str, usage: Usage, *, backend: str = "") -> float:
    """Dollars spent on ``usage`` with ``model``; 0 for local models and unknown names."""
    if backend == "local":
        return 0.0
    price = price_for(model)
    if price is None:
        return 0.0
    return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000
