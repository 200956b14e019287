"""The ``interface`` task: a component's interface drafted before anything is implemented."""

from __future__ import annotations

from protosmith.agents import implementation
from protosmith.llm.errors import StructuredOutputError
from protosmith.pipeline.results import InterfaceResult
from protosmith.pipeline.run import RunContext
from protosmith.pipeline.tasks import dependency_items


async def draft(ctx: RunContext, name: str) -> tuple[InterfaceResult, list[str]]:
    """The model's draft, or the deterministic one from the architecture when it gives none."""
    brief = ctx.brief(name)
    run = ctx.run
    try:
        result = await implementation.draft_interface(
            run.backend,
            ctx.context,
            brief,
            max_tokens=run.max_tokens,
            retries=run.retries(),
            dependencies=dependency_items(ctx, name),
        )
        drafted, fallback = result.value, False
    except StructuredOutputError as error:
        drafted, fallback = implementation.draft_fallback(brief), True
        run.journal.event("interface_fallback", component=name, error=str(error))
    return InterfaceResult(draft=drafted, fallback=fallback), []
