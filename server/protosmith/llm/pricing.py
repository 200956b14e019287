"""Model prices, so every run can say what it cost.

Prices are US dollars per 1M tokens (input, output). The built-in table is a snapshot of
OpenAI's public list prices; prices change, so users override or extend it:

- a TOML file at ``$XDG_CONFIG_HOME/protosmith/prices.toml`` (or the path in
  ``PROTOSMITH_PRICES_FILE``) with one table per model::

      [prices."gpt-4o"]
      input = 2.50
      output = 10.00

- or inline JSON in ``PROTOSMITH_PRICES``: ``{"my-model": {"input": 1.0, "output": 2.0}}``.

User prices match exactly first, then by the longest table key that prefixes the model name;
built-in prices match an exact OpenAI name or its dated snapshot (``gpt-4o-2024-08-06`` costs
what ``gpt-4o`` costs). The local backend costs 0.

A name is not a bill: any server accepts ``--model gpt-4.1``. The built-in prices apply only
when the endpoint lists the model under exactly that name at ``GET /models`` (or, on
api.openai.com itself, when it does not answer that list); a price the user set applies
always. Everything else has an unknown cost (``None``), never a guess.
"""

from __future__ import annotations

import json
import logging
import os
import re
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
    return {**BUILTIN_PRICES, **user_prices()}


@lru_cache(maxsize=1)
def user_prices() -> dict[str, Price]:
    """Prices the user set (file and ``PROTOSMITH_PRICES``): they apply to any endpoint."""
    table: dict[str, Price] = {}
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


def price_for(model: str, table: dict[str, Price] | None = None) -> Price | None:
    """The price of ``model``: exact name, else the longest matching prefix, else None."""
    table = price_table() if table is None else table
    bare = model.rsplit("/", 1)[-1]
    if bare in table:
        return table[bare]
    matches = [key for key in table if bare.startswith(key + "-")]
    return table[max(matches, key=len)] if matches else None


_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def builtin_price(model: str) -> Price | None:
    """OpenAI's list price for an OpenAI model name: exact, or a dated snapshot of one
    (``gpt-4o-2024-08-06``); ``gpt-4.1-nonexistent`` is not ``gpt-4.1``."""
    bare = model.rsplit("/", 1)[-1]
    return BUILTIN_PRICES.get(_SNAPSHOT.sub("", bare))


def cost(
    model: str,
    usage: Usage,
    *,
    backend: str = "",
    served: bool | None = None,
    official: bool = False,
) -> float | None:
    """Dollars spent on ``usage`` with ``model``, or None when the price is unknown.

    ``served``: whether the endpoint lists ``model`` (None: it does not say); ``official``:
    the endpoint is api.openai.com, whose list prices the built-in table holds.
    """
    if backend == "local":
        return 0.0
    price = price_for(model, user_prices())
    if price is None and (served is True or (served is None and official)):
        price = builtin_price(model)
    if price is None:
        return None
    return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000
