"""The ``implement`` task: a component's code from its interface and its dependencies' drafts."""

from __future__ import annotations

from protosmith.agents import implementation
from protosmith.pipeline.accepted import load_accepted, save_accepted
from protosmith.pipeline.keys import task_id
from protosmith.pipeline.results import CodeResult
from protosmith.pipeline.run import RunContext
from protosmith.pipeline.tasks import draft_of, write_files


async def implement(ctx: RunContext, name: str) -> tuple[CodeResult, list[str]]:
    """The accepted code of this input when there is one (never rewritten), else the model's."""
    brief = ctx.brief(name)
    run = ctx.run
    tid = task_id("implement", name)
    accepted = load_accepted(ctx, tid)
    if accepted is not None and accepted.code is not None:
        run.journal.event("accepted_state_used", task=tid)
        files = write_files(ctx, name, accepted.code.files, tid)
        return CodeResult(code=accepted.code, attempts=0, accepted=True), files
    deps = []
    for dep in brief.component.depends_on:
        dep_draft = draft_of(ctx, dep)
        deps.append(implementation.dependency_item(dep, dep_draft.summary, dep_draft.interface))
    result = await implementation.implement(
        run.backend,
        ctx.context,
        brief,
        draft_of(ctx, name),
        deps,
        max_tokens=run.max_tokens,
        retries=run.retries(),
    )
    files = write_files(ctx, name, result.value.files, tid)
    save_accepted(ctx, tid, code=result.value)
    return CodeResult(code=result.value, attempts=result.attempts), files
