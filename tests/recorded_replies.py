"""Serve replies a strong model really wrote (recorded through the relay) on a loopback server.

A recording is ``tests/fixtures/recorded/<name>/replies.json``: a list of ``{"schema",
"component", "text"}`` in the order they were written, plus the spec they answer
(``protosmith.toml``). The n-th request for a (reply schema, component) pair gets the n-th
recorded reply for that pair, so concurrency does not change who gets what; a pair asked more
often than recorded gets its last reply again.

The server honours ``max_tokens`` like a real endpoint: a reply longer than the request allows
is cut there with ``finish_reason="length"``; a request without a schema whose conversation
ends with an assistant message that is a prefix of a reply (a continuation) gets the rest. Tokens are
counted as 4 characters each, about what tokenizers give for code and JSON.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fake_openai_server import FakeOpenAIServer, RecordedRequest, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "recorded"
CHARS_PER_TOKEN = 4
_COMPONENT = re.compile(r'the component "([^"]+)"')


@dataclass
class Recording:
    """The replies of one recorded run and what was served from them."""

    name: str
    replies: list[dict[str, str]]
    served: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(schema, component, index of the reply, finish_reason) per request."""
    _counts: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, name: str) -> Recording:
        data = json.loads((FIXTURES / name / "replies.json").read_text(encoding="utf-8"))
        return cls(name, list(data))

    @property
    def spec(self) -> Path:
        return FIXTURES / self.name / "protosmith.toml"

    def _pick(self, schema: str, component: str) -> tuple[int, str]:
        matching = [
            (index, item["text"])
            for index, item in enumerate(self.replies)
            if item["schema"] == schema and item["component"] == component
        ]
        if not matching:
            raise LookupError(f"no recorded reply for {schema} / {component or '(project)'}")
        with self._lock:
            nth = self._counts[(schema, component)]
            self._counts[(schema, component)] += 1
        return matching[min(nth, len(matching) - 1)]

    def answer(self, request: RecordedRequest) -> Reply:
        body: dict[str, Any] = request.body
        messages = body.get("messages", [])
        schema = _schema_title(body)
        assistant = [m.get("content") or "" for m in messages if m.get("role") == "assistant"]
        index, text, start = -1, "", 0
        if not schema and assistant:
            # A continuation: the conversation ends with what was written so far.
            written = assistant[-1]
            for number, item in enumerate(self.replies):
                if len(item["text"]) > len(written) and item["text"].startswith(written):
                    index, text, start = number, item["text"], len(written)
                    break
        if index < 0:
            users = [m["content"] for m in messages if m.get("role") == "user"]
            found = _COMPONENT.search(users[0] if users else "") or _COMPONENT.search(
                "\n".join(users)
            )
            component = found.group(1) if found else ""
            index, text = self._pick(schema, component)
        item = self.replies[index]
        rest = text[start:]
        limit = int(body.get("max_tokens") or body.get("max_completion_tokens") or 1 << 30)
        room = limit * CHARS_PER_TOKEN
        finish = "stop"
        if len(rest) > room:
            rest, finish = rest[:room], "length"
        self.served.append((item["schema"], item["component"], index, finish))
        prompt = sum(len(m.get("content") or "") for m in messages) // CHARS_PER_TOKEN
        return Reply(
            text=rest,
            finish_reason=finish,
            prompt_tokens=prompt,
            completion_tokens=max(1, len(rest) // CHARS_PER_TOKEN),
        )


def _schema_title(body: dict[str, Any]) -> str:
    response_format = body.get("response_format") or {}
    schema = response_format.get("schema") or (response_format.get("json_schema") or {}).get(
        "schema", {}
    )
    return str(schema.get("title", ""))


def serve(recording: Recording) -> FakeOpenAIServer:
    """A started loopback server answering from ``recording`` (use as a context manager)."""
    return FakeOpenAIServer(function=recording.answer, models=("strong-coder",))
