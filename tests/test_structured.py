"""complete_structured: validation errors go back to the model, cut-off replies are continued; both bounded."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from protosmith.llm.base import Completion, CompletionRequest, Message, Usage
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.scripted import ScriptedBackend
from protosmith.llm.structured import (
    MAX_CONTINUATIONS,
    complete_continued,
    complete_structured,
    extract_json,
    join_continuation,
)


class Person(BaseModel):
    name: str
    age: int


MESSAGES = [Message(role="user", content="Alice is 31. Reply as JSON.")]


async def test_invalid_then_valid_retries_with_the_error() -> None:
    backend = ScriptedBackend(
        ['{"name": "Alice", "age": "thirty-one"}', '{"name": "Alice", "age": 31}']
    )
    result = await complete_structured(backend, MESSAGES, Person, agent="test")
    assert result.value == Person(name="Alice", age=31)
    assert result.attempts == 2
    retry_prompt = backend.requests[1].messages[-1].content
    assert "age" in retry_prompt and "integer" in retry_prompt
    assert backend.requests[1].messages[-2].role == "assistant"
    assert backend.requests[0].json_schema == Person.model_json_schema()
    assert result.usage.prompt_tokens > 0 and result.usage.estimated


async def test_truncated_reply_is_continued_and_joined() -> None:
    cut = Completion(
        text='{"name": "Ali',
        finish_reason="length",
        usage=Usage(prompt_tokens=5, completion_tokens=64),
    )
    rest = Completion(text='ce", "age": 31}', usage=Usage(prompt_tokens=20, completion_tokens=6))
    backend = ScriptedBackend([cut, rest])
    result = await complete_structured(backend, MESSAGES, Person, agent="test", max_tokens=64)
    assert result.value == Person(name="Alice", age=31) and result.attempts == 1
    follow = backend.requests[1]
    assert (
        follow.messages[-2].role == "assistant" and follow.messages[-2].content == '{"name": "Ali'
    )
    assert "cut off" in follow.messages[-1].content and '"Ali' in follow.messages[-1].content
    assert follow.json_schema is None  # a grammar would restart the object
    assert result.usage.completion_tokens == 70


async def test_reply_that_stays_cut_off_is_not_re_asked_and_names_the_knob() -> None:
    def endless(request: object) -> Completion:
        return Completion(text="x" * 50, finish_reason="length", usage=Usage(completion_tokens=64))

    backend = ScriptedBackend(function=endless)
    with pytest.raises(StructuredOutputError) as caught:
        await complete_structured(backend, MESSAGES, Person, agent="test", max_tokens=64)
    assert len(backend.requests) == 1 + MAX_CONTINUATIONS  # continuations, never the same ask
    keys = {tuple(m.content for m in r.messages) for r in backend.requests}
    assert len(keys) == len(backend.requests)
    message = str(caught.value)
    assert "max_tokens=64" in message and "--max-tokens" in message
    assert "PROTOSMITH_MAX_TOKENS" in message and "--context-tokens" in message


async def test_continuation_stops_when_the_window_is_full() -> None:
    backend = ScriptedBackend(
        [Completion(text="y" * 4000, finish_reason="length")], context_window=1200
    )
    completion = await complete_continued(
        backend,
        CompletionRequest(messages=MESSAGES, max_tokens=1000),
    )
    assert len(backend.requests) == 1 and completion.finish_reason == "length"


def test_join_drops_repeated_overlap_and_added_fences() -> None:
    assert join_continuation("def f(x):\n    return x +", "    return x + 1\n") == (
        "def f(x):\n    return x + 1\n"
    )
    assert (
        join_continuation('{"a": "long text', '```json\n here"}\n```')
        == '{"a": "long text here"}\n'
    )
    assert join_continuation("abc", "def") == "abcdef"


async def test_always_invalid_raises_after_bounded_attempts() -> None:
    backend = ScriptedBackend(["not json at all"] * 10)
    with pytest.raises(StructuredOutputError) as caught:
        await complete_structured(backend, MESSAGES, Person, agent="architect", retries=2)
    assert len(backend.requests) == 3
    assert "architect" in str(caught.value) and "Person" in str(caught.value)
    assert caught.value.hint


async def test_code_fences_and_prose_are_stripped() -> None:
    fenced = '```json\n{"name": "Eve", "age": 22}\n```'
    backend = ScriptedBackend([fenced])
    result = await complete_structured(backend, MESSAGES, Person, agent="test")
    assert result.value.age == 22 and result.attempts == 1
    assert json.loads(extract_json('Sure! {"a": 1} hope that helps')) == {"a": 1}


async def test_raw_line_breaks_inside_strings_are_accepted() -> None:
    """What the embedded model writes under llama.cpp's schema grammar about one time in three."""
    backend = ScriptedBackend(['{"name": "Alice\n  ", "age": 31}'])
    result = await complete_structured(backend, MESSAGES, Person, agent="test")
    assert result.value.name == "Alice\n  " and result.attempts == 1
