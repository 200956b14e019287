"""The refinement agent: rewrite code to follow an instruction, returning whole files.

Whole-file replies are easier for models to get right than diffs; the engine computes the
edits and validates them before anything is offered to the user.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from protosmith.llm.base import Backend, Message
from protosmith.llm.structured import StructuredResult, complete_structured
from protosmith.prompts import render


class RefinedFile(BaseModel):
    """New content of one file."""

    path: str
    content: str


class RefineReply(BaseModel):
    """The agent's rewrite."""

    files: list[RefinedFile] = Field(min_length=1)
    summary: str = ""


async def run_refiner(
    backend: Backend,
    *,
    instruction: str,
    files: dict[str, str],
    selection: tuple[int, int] | None,
    target: str,
    feedback: str = "",
    context: dict[str, str] | None = None,
    max_tokens: int,
) -> StructuredResult[RefineReply]:
    """Ask for the rewritten files; ``feedback`` carries why the previous attempt was rejected.

    ``max_tokens`` is the caller's configured completion limit: no hidden cap of its own.
    """
    messages = [
        Message(role="system", content=render("refine_system.j2")),
        Message(
            role="user",
            content=render(
                "refine_user.j2",
                instruction=instruction,
                files=files,
                selection=selection,
                target=target,
                feedback=feedback,
                context=context or {},
            ),
        ),
    ]
    return await complete_structured(
        backend, messages, RefineReply, agent="refine", max_tokens=max_tokens
    )
