"""The ``tests`` task: a component's tests, written from its interface (alongside its code)."""

from __future__ import annotations

from protosmith.agents import testing
from protosmith.pipeline.accepted import load_accepted, save_accepted
from protosmith.pipeline.keys import task_id
from protosmith.pipeline.results import SuiteResult
from protosmith.pipeline.run import RunContext
from protosmith.pipeline.tasks import dependency_items, draft_of, write_files


async def write(ctx: RunContext, name: str) -> tuple[SuiteResult, list[str]]:
    """The accepted tests of this input when there are some, else the model's."""
    run = ctx.run
    tid = task_id("tests", name)
    accepted = load_accepted(ctx, tid)
    if accepted is not None and accepted.suite is not None:
        run.journal.event("accepted_state_used", task=tid)
        files = write_files(ctx, name, accepted.suite.files, tid)
        return SuiteResult(suite=accepted.suite, attempts=0, accepted=True), files
    result = await testing.write_tests(
        run.backend,
        ctx.context,
        ctx.brief(name),
        draft_of(ctx, name),
        max_tokens=run.max_tokens,
        retries=run.retries(),
        dependencies=dependency_items(ctx, name),
    )
    files = write_files(ctx, name, result.value.files, tid)
    save_accepted(ctx, tid, suite=result.value)
    return SuiteResult(suite=result.value, attempts=result.attempts), files
