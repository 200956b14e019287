"""Structured replies: ask for JSON under a schema, validate with pydantic, retry with the error.

Validation errors go back to the model as a bounded retry (pydantic-ai's RetryPromptPart);
a reply cut off at ``max_tokens`` is detected from ``finish_reason`` and never parsed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from protosmith.llm.base import (
    Backend,
    Completion,
    CompletionRequest,
    Message,
    RequestTask,
    Usage,
)
from protosmith.llm.errors import StructuredOutputError
from protosmith.prompts import render

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass
class StructuredResult(Generic[T]):
    """A validated value and what it cost to get it."""

    value: T
    usage: Usage
    attempts: int
    completions: list[Completion] = field(default_factory=list)


def extract_json(text: str) -> str:
    """Strip code fences and leading prose that weak models add around a JSON object."""
    match = _FENCE.match(text)
    if match:
        text = match.group(1)
    start = text.find("{")
    end = text.rfind("}")
    if start > 0 and end > start:
        return text[start : end + 1]
    return text.strip()


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors()[:8]:
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        lines.append(f"{where}: {item['msg']}")
    return "; ".join(lines)


async def complete_structured(
    backend: Backend,
    messages: list[Message],
    output_type: type[T],
    *,
    agent: str,
    max_tokens: int = 2048,
    temperature: float = 0.2,
    retries: int = 2,
    schema: dict[str, Any] | None = None,
    task: RequestTask | None = None,
) -> StructuredResult[T]:
    """Return ``output_type`` parsed from the model's reply, retrying at most ``retries`` times."""
    conversation = list(messages)
    json_schema = schema if schema is not None else output_type.model_json_schema()
    usage = Usage()
    completions: list[Completion] = []
    problem = ""
    for attempt in range(1, retries + 2):
        request = CompletionRequest(
            messages=conversation,
            max_tokens=max_tokens,
            temperature=temperature,
            json_schema=json_schema,
            agent=agent,
            task=task,
        )
        completion = await backend.complete(request)
        completions.append(completion)
        usage = usage + completion.usage
        if completion.finish_reason == "length":
            problem = f"the reply was cut off at max_tokens={max_tokens}; answer more briefly"
        else:
            try:
                value = output_type.model_validate_json(extract_json(completion.text))
            except ValidationError as error:
                problem = _describe(error)
                forget = getattr(backend, "forget", None)  # a cache must not replay a bad reply
                if forget is not None:
                    forget(request)
            else:
                return StructuredResult(value, usage, attempt, completions)
        conversation = [
            *conversation,
            Message(role="assistant", content=completion.text[:4000]),
            Message(role="user", content=render("structured_retry.j2", problem=problem)),
        ]
    raise StructuredOutputError(
        f"{agent}: no valid {output_type.__name__} after {retries + 1} attempts: {problem}",
        hint="use a more capable model or raise max_tokens",
    )


def dumps_schema(model: type[BaseModel]) -> str:
    """The schema as compact JSON, for prompts that show it to models without constrained decoding."""
    return json.dumps(model.model_json_schema(), separators=(",", ":"))
