"""The architecture stage: one design call, resumable, with a deterministic fallback.

A model that cannot design still gets a prototype: the fallback is a single component derived
from the spec, and the run says so (it is never reported as the architect's design).
"""

from __future__ import annotations

from protosmith.agents import architecture
from protosmith.agents.models import ArchitectureRecord
from protosmith.llm.errors import StructuredOutputError
from protosmith.pipeline.keys import input_key
from protosmith.pipeline.run import GenerationRun

FALLBACK_NOTE = (
    "the architecture agent gave no valid design, so a single-component architecture "
    "derived from the spec was used"
)
TINY_NOTE = (
    "the model is too small to design an architecture, so it was not asked: a "
    "single-component architecture derived from the spec was used"
)


async def design(run: GenerationRun) -> ArchitectureRecord:
    """The saved design of this input when resuming, else the architect's (or the fallback)."""
    journal = run.journal
    key = input_key("architecture", run.fingerprint, run.spec.model_dump(mode="json"))
    if run.reuse:
        saved = journal.load_task("architecture")
        if saved is not None and saved.get("key") == key and not saved.get("fallback"):
            journal.event("task_reused", task="architecture")
            return ArchitectureRecord.model_validate(saved["result"])
        if saved is not None and saved.get("fallback"):
            # A fallback stands in for a failed design: resuming tries the architect again.
            journal.event("task_retried", task="architecture", reason="fallback design")
    fallback, note = False, ""
    try:
        record = await _designed(run)
    except architecture.TooSmallToDesign as error:
        record, fallback, note = _fallback(run, TINY_NOTE), True, TINY_NOTE
        run.session.fallback_chosen = True
        journal.event("architecture_fallback", error=str(error))
    except StructuredOutputError as error:
        record, fallback, note = _fallback(run, FALLBACK_NOTE), True, FALLBACK_NOTE
        journal.event("architecture_fallback", error=str(error))
    journal.save_task(
        "architecture",
        {"key": key, "result": record.model_dump(), "fallback": fallback, "note": note},
    )
    return record


async def _designed(run: GenerationRun) -> ArchitectureRecord:
    """The architect's design, with the repairs it needed journaled."""
    outcome = await architecture.design(
        run.backend,
        run.spec,
        max_tokens=run.max_tokens,
        retries=run.retries("architecture"),
        repair_rounds=run.retries("task"),
        context=run.context_manager(),
    )
    for repair in outcome.repairs:
        run.journal.event("architecture_repair", problem=repair)
    return outcome.record


def _fallback(run: GenerationRun, note: str) -> ArchitectureRecord:
    """The single-component design derived from the spec, and the run told why."""
    record = architecture.fallback_record(run.spec)
    for component in record.components:
        # Nobody chose this language: the fallback takes the first project language.
        component.language_reason = (
            f"fallback design: the first project language ({component.language})"
        )
    run.session.fallback_reason = note
    return record
