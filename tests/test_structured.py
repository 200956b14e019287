"""complete_structured: validation errors and truncation go back to the model, a bounded number of times."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from protosmith.llm.base import Completion, Message, Usage
from protosmith.llm.errors import StructuredOutputError
from protosmith.llm.scripted import ScriptedBackend
from protosmith.llm.structured import complete_structured, extract_json


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


async def test_truncated_reply_is_never_parsed_and_is_retried() -> None:
    truncated = Completion(
        text='{"name": "Alice", "age": 31}',
        finish_reason="length",
        usage=Usage(prompt_tokens=5, completion_tokens=64),
    )
    backend = ScriptedBackend([truncated, '{"name": "Bob", "age": 40}'])
    result = await complete_structured(backend, MESSAGES, Person, agent="test", max_tokens=64)
    assert result.value.name == "Bob"  # the cut-off reply was valid JSON, but not trusted
    assert result.attempts == 2
    assert "max_tokens=64" in backend.requests[1].messages[-1].content
    assert result.usage.completion_tokens >= 64


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
