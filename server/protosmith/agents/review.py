"""The LLM review agent: claims with citations, triage of static findings, requirement tracing.

The agent only proposes; :mod:`protosmith.services.llm_review` keeps a claim only when the lines
it cites exist and contain the quoted text, so a hallucinated finding never reaches the user.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from protosmith.llm.base import Backend, Message, RequestTask
from protosmith.llm.structured import StructuredResult, complete_structured
from protosmith.prompts import render


class Claim(BaseModel):
    """One problem the model says it found."""

    kind: Literal["architecture", "quality", "test_coverage", "security", "performance"]
    severity: Literal["critical", "major", "minor", "info"] = "minor"
    path: str
    line_start: int = Field(ge=1)
    line_end: int = Field(ge=1)
    quote: str = ""
    """Text that appears on the cited lines; used to verify the citation."""
    message: str
    fix_instruction: str = ""


class Triage(BaseModel):
    """The model's verdict on a static finding, by its index in the list it was shown."""

    index: int = Field(ge=0)
    verdict: Literal["confirm", "dismiss"]
    reason: str = ""


class Trace(BaseModel):
    """Where one acceptance criterion is implemented and tested."""

    scenario: str
    criterion: str
    code_path: str = ""
    code_line: int = 0
    test_path: str = ""
    test_line: int = 0


class ReviewReply(BaseModel):
    """Everything the review agent returns for one batch of files."""

    claims: list[Claim] = Field(default_factory=list)
    triage: list[Triage] = Field(default_factory=list)
    traces: list[Trace] = Field(default_factory=list)


class ReviewInput(BaseModel):
    """What the review agent sees."""

    files: dict[str, str]
    """Relative path → numbered source text."""
    static_findings: list[str] = Field(default_factory=list)
    criteria: list[tuple[str, str]] = Field(default_factory=list)
    architecture: str = ""


async def run_review_agent(
    backend: Backend, review_input: ReviewInput, *, max_tokens: int = 2048
) -> StructuredResult[ReviewReply]:
    """Ask the model to review, triage and trace; the reply is validated, never trusted."""
    messages = [
        Message(role="system", content=render("review_system.j2")),
        Message(
            role="user",
            content=render(
                "review_user.j2",
                files=review_input.files,
                static_findings=review_input.static_findings,
                criteria=review_input.criteria,
                architecture=review_input.architecture,
            ),
        ),
    ]
    task = RequestTask(
        kind="review",
        facts={"findings": ",".join(str(i) for i in range(len(review_input.static_findings)))},
    )
    return await complete_structured(
        backend, messages, ReviewReply, agent="review", max_tokens=max_tokens, task=task
    )
