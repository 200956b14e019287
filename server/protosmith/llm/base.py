"""The backend protocol every agent talks to.

One required async method (``complete``) plus declared capabilities, in the manner of
pydantic-ai's ``Model.request`` and simonw/llm's ``Model.execute``: the pipeline never needs
to know whether tokens come from llama.cpp in a worker process or from a remote endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from protosmith.settings import StructuredMode


class Message(BaseModel):
    """One chat message."""

    role: Literal["system", "user", "assistant"]
    content: str


class RequestTask(BaseModel):
    """What a request is for, typed: fakes and tools key on it (and on the schema), never on
    the prompt's prose. It does not enter the cache key: the messages already decide the reply."""

    kind: str
    """architecture, interface, implement, tests, verdict, repair-implement, repair-tests, docs."""
    component: str = ""
    """The component the request is about ('' for project-wide requests)."""
    facts: dict[str, str] = Field(default_factory=dict)
    """Typed extras a fake needs (the component's module path, its language, the project)."""


class CompletionRequest(BaseModel):
    """What an agent asks of a backend."""

    messages: list[Message]
    max_tokens: int = 1024
    temperature: float = 0.2
    json_schema: dict[str, Any] | None = None
    """When set, the reply must be JSON valid against this schema (backend-enforced where possible)."""
    stop: list[str] = Field(default_factory=list)
    seed: int | None = None
    agent: str = "unknown"
    """Name of the calling agent, for accounting and the journal."""
    task: RequestTask | None = None
    """What the request is for, typed (see :class:`RequestTask`)."""


class Usage(BaseModel):
    """Token usage and cost of one call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    """Dollars of the priced tokens; see ``priced``."""
    estimated: bool = False
    """True when the counts are not from the model's own tokenizer."""
    priced: bool = True
    """False when some of these tokens have no known price: the cost is then unknown, and
    ``cost_usd`` counts only the priced part (never a guess for the rest)."""

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
            estimated=self.estimated or other.estimated,
            priced=self.priced and other.priced,
        )

    @property
    def known_cost_usd(self) -> float | None:
        """The cost in dollars, or None when it is unknown (an unpriced model was used)."""
        return self.cost_usd if self.priced else None


class Completion(BaseModel):
    """A backend's reply."""

    text: str
    finish_reason: Literal["stop", "length", "error"] = "stop"
    usage: Usage = Field(default_factory=Usage)
    model: str = ""


@runtime_checkable
class TokenCounter(Protocol):
    """Counts tokens the way the model will see them."""

    exact: bool

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        ...


@dataclass(frozen=True)
class DeviceInfo:
    """Where inference runs."""

    kind: str = "cpu"
    """cpu, cuda, rocm, metal, vulkan, sycl, or remote."""
    name: str = ""
    gpu_offload: bool = False
    notes: tuple[str, ...] = ()


@dataclass
class Capabilities:
    """What a backend can do; the scheduler and context manager plan with these."""

    context_window: int
    parallel_slots: int
    structured_mode: StructuredMode
    token_counter: TokenCounter
    device: DeviceInfo = field(default_factory=DeviceInfo)
    model: str = ""
    backend: str = ""
    tiny: bool = False
    """A model too small to choose file paths or write test code (the embedded 270M): agents
    ask it for less (one module's code, tests as cases) and protosmith writes the rest."""
    seed: int | None = None
    """The sampling seed applied to requests that carry none (part of the cache key)."""


@runtime_checkable
class Backend(Protocol):
    """An LLM backend. Implementations: local, openai, scripted."""

    name: str

    @property
    def capabilities(self) -> Capabilities:
        """Declared capabilities (may load a tokenizer lazily)."""
        ...

    async def complete(self, request: CompletionRequest) -> Completion:
        """Run one chat completion. Raises :class:`protosmith.llm.errors.BackendError`."""
        ...

    async def aclose(self) -> None:
        """Release processes, sockets and model memory."""
        ...
