"""Structured output benchmark: on the embedded model, how often a schema-constrained reply
validates on the first try, and after protosmith's bounded retries.

Each prompt asks for a small object under a JSON Schema through
``protosmith.llm.structured.complete_structured`` (the path every agent uses), on the local
backend with grammar-constrained decoding. Skipped, recording nothing, without llama_cpp.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pydantic import BaseModel, Field

from bench.common import record
from bench.local_inference import N_CTX, available


class City(BaseModel):
    name: str
    country: str
    population_millions: float = Field(ge=0)


class Function(BaseModel):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    parameters: list[str]
    returns: str


class Task(BaseModel):
    title: str = Field(min_length=3)
    priority: int = Field(ge=1, le=5)
    done: bool


class Component(BaseModel):
    name: str
    responsibility: str
    depends_on: list[str]


PROMPTS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Paris is the capital of France with about 2.1 million people. Describe the city.", City),
    ("Design a Python function that adds two integers.", Function),
    ("Create a task to write the README, priority 2, not done yet.", Task),
    ("Describe an orders component that depends on catalog and pricing.", Component),
    ("Tokyo is in Japan and has about 14 million people. Describe the city.", City),
    ("Design a Python function that parses a date string into a date.", Function),
    ("Create a task to fix the login bug, priority 1, already done.", Task),
    ("Describe a catalog component that lists products and depends on storage.", Component),
    ("Lagos, in Nigeria, has around 15 million inhabitants. Describe the city.", City),
    ("Design a Python function that counts the words in a text.", Function),
)


async def _measure(count: int, max_tokens: int) -> dict[str, Any]:
    from protosmith.llm.base import Message
    from protosmith.llm.errors import StructuredOutputError
    from protosmith.llm.factory import create_backend
    from protosmith.llm.structured import complete_structured
    from protosmith.settings import Settings

    backend = create_backend(Settings(backend="local", n_ctx=N_CTX))
    rows = []
    try:
        for prompt, model in PROMPTS[:count]:
            started = time.perf_counter()
            messages = [
                Message(role="system", content="Reply with only a JSON object."),
                Message(role="user", content=prompt),
            ]
            try:
                result = await complete_structured(
                    backend, messages, model, agent="bench", max_tokens=max_tokens, retries=2
                )
                attempts, valid = result.attempts, True
            except StructuredOutputError:
                attempts, valid = 3, False
            rows.append(
                {
                    "schema": model.__name__,
                    "attempts": attempts,
                    "valid": valid,
                    "seconds": round(time.perf_counter() - started, 3),
                }
            )
    finally:
        await backend.aclose()
    n = len(rows)
    return {
        "requests": n,
        "first_try": sum(1 for r in rows if r["valid"] and r["attempts"] == 1),
        "after_retries": sum(1 for r in rows if r["valid"]),
        "max_tokens": max_tokens,
        "retries": 2,
        "rows": rows,
    }


def run(*, count: int = len(PROMPTS), max_tokens: int = 160) -> None:
    """Record ``structured.first_try_valid_share`` and ``structured.after_retries_valid_share``."""
    path, why = available()
    if path is None:
        print(f"structured benchmark skipped: {why}")
        return
    result = asyncio.run(_measure(count, max_tokens))
    n = max(1, result["requests"])
    record(
        "structured.first_try_valid_share",
        result["first_try"] / n,
        "share of requests",
        f"after up to 2 retries: {result['after_retries']}/{result['requests']} valid "
        f"({path.name}, grammar-constrained)",
        result,
    )
    record(
        "structured.after_retries_valid_share",
        result["after_retries"] / n,
        "share of requests",
        f"first try: {result['first_try']}/{result['requests']} valid",
        result,
    )
    print(
        f"structured: {result['first_try']}/{result['requests']} valid on the first try, "
        f"{result['after_retries']}/{result['requests']} after retries"
    )
