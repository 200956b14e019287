"""Structured replies: ask for JSON under a schema, validate with pydantic, retry with the error.

Validation errors go back to the model as a bounded retry (pydantic-ai's RetryPromptPart).
A reply cut off at ``max_tokens`` (``finish_reason == "length"``) is continued: the model is
shown what it wrote and asked for the rest, a bounded number of times, and the parts are
joined. Asking the same question again at the same limit would only be cut off again, so a
reply that still does not fit ends in an error that names the knob to raise.
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
from protosmith.llm.limits import CONTEXT_KNOBS, MAX_TOKENS_KNOBS
from protosmith.llm.tokens import count_messages
from protosmith.prompts import render

MAX_CONTINUATIONS = 3
"""Continuations of one cut-off reply before giving up (each one may be as long as the first)."""
MIN_CONTINUATION_TOKENS = 256
"""A continuation with less room than this cannot make progress; stop instead."""
CONTINUATION_MARGIN_TOKENS = 64
"""Slack for token counts that are estimates and for chat-template tokens we do not see."""
TAIL_CHARS = 300
_OPENING_FENCE = re.compile(r"^\s*```[\w-]*\n")

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


class ContinuedCompletion(Completion):
    """A reply joined from its parts; ``parts`` counts the requests it took."""

    parts: int = 1


def join_continuation(previous: str, continuation: str) -> str:
    """``previous + continuation`` without the overlap a model repeats or the fences it adds."""
    text = continuation
    if "```" not in previous[-TAIL_CHARS:]:
        opening = _OPENING_FENCE.match(text)
        if opening and text.rstrip().endswith("```"):
            text = text[opening.end() :].rstrip()[:-3]
    for size in range(min(len(text) - 1, len(previous), TAIL_CHARS), 7, -1):
        if previous.endswith(text[:size]):
            return previous + text[size:]
    return previous + text


async def complete_continued(
    backend: Backend, request: CompletionRequest, *, max_continuations: int = MAX_CONTINUATIONS
) -> ContinuedCompletion:
    """One reply; when it is cut off at ``max_tokens``, continue it (bounded) and join the parts.

    The continuations carry no schema constraint (a JSON grammar would restart the object);
    the joined text is validated by the caller like any reply. Works for plain text too.
    """
    completion = await backend.complete(request)
    text, usage, parts = completion.text, completion.usage, 1
    capabilities = backend.capabilities
    while completion.finish_reason == "length" and parts <= max_continuations:
        fence = "`" * max(
            3, max((len(r) for r in re.findall(r"`+", text[-TAIL_CHARS:])), default=0) + 1
        )
        messages = [
            *request.messages,
            Message(role="assistant", content=text),
            Message(
                role="user",
                content=render("continue_reply.j2", tail=text[-TAIL_CHARS:], fence=fence),
            ),
        ]
        used = count_messages(capabilities.token_counter, messages)
        room = capabilities.context_window - used - CONTINUATION_MARGIN_TOKENS
        if room < MIN_CONTINUATION_TOKENS:
            break
        follow = request.model_copy(
            update={
                "messages": messages,
                "max_tokens": min(request.max_tokens, room),
                "json_schema": None,
            }
        )
        completion = await backend.complete(follow)
        usage = usage + completion.usage
        joined = join_continuation(text, completion.text)
        parts += 1
        if joined == text:
            break  # no progress: asking again would send the same request
        text = joined
    return ContinuedCompletion(
        text=text,
        finish_reason=completion.finish_reason,
        usage=usage,
        model=completion.model,
        parts=parts,
    )


def truncation_problem(max_tokens: int, parts: int) -> str:
    """What went wrong when a reply stays cut off, naming the knobs that fix it."""
    continued = f" and {parts - 1} continuation(s)" if parts > 1 else ""
    return (
        f"the reply was cut off at the completion limit (max_tokens={max_tokens}){continued}; "
        f"raise it with {MAX_TOKENS_KNOBS}, and the context window with {CONTEXT_KNOBS} "
        "if the model has more room"
    )


def parse_reply(output_type: type[T], text: str) -> T:
    """Validate ``text`` as ``output_type``; raw control characters inside strings are accepted.

    llama.cpp's schema grammar lets a model write a real line break inside a JSON string (the
    embedded model does, in about one reply of three); strict JSON rejects that, although the
    meaning is plain. Such a reply is re-encoded and validated like any other.
    """
    candidate = extract_json(text)
    try:
        return output_type.model_validate_json(candidate)
    except ValidationError as error:
        if not any(item["type"] == "json_invalid" for item in error.errors()):
            raise
        try:
            loose = json.loads(candidate, strict=False)
        except ValueError:
            raise error from None
        return output_type.model_validate_json(json.dumps(loose))


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
        completion = await complete_continued(backend, request)
        completions.append(completion)
        usage = usage + completion.usage
        if completion.finish_reason == "length":
            # Asking the same thing again at the same limit would be cut off again.
            raise StructuredOutputError(
                f"{agent}: no complete {output_type.__name__}: "
                + truncation_problem(max_tokens, completion.parts),
                hint=f"raise the completion limit ({MAX_TOKENS_KNOBS})",
            )
        try:
            value = parse_reply(output_type, completion.text)
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
        hint="use a more capable model",
    )


def dumps_schema(model: type[BaseModel]) -> str:
    """The schema as compact JSON, for prompts that show it to models without constrained decoding."""
    return json.dumps(model.model_json_schema(), separators=(",", ":"))
