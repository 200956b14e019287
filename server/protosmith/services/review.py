"""The review use case: the static review (in process or in a child), then the LLM pass.

``review`` is what the CLI and the language server call. The static layer is the engine in
:mod:`protosmith.analysis.review`; the grounded LLM pass is :mod:`protosmith.services.llm_review`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from protosmith.analysis.review import ReviewResult, absolute_sources, risk_level, static_review
from protosmith.llm.base import Backend
from protosmith.services.isolated import static_review_in_child
from protosmith.spec.model import Spec


async def _llm_pass(
    result: ReviewResult, files: Mapping[Path, str], root: Path, backend: Backend, spec: Spec | None
) -> None:
    # Imported here: a static-only review does not pay for the agents and prompts.
    from protosmith.services.llm_review import llm_review

    active = [f for f in result.findings if f.active]
    outcome = await llm_review(files, root=root, backend=backend, static_findings=active, spec=spec)
    for index, reason in outcome.dismissed.items():
        if 0 <= index < len(active):
            active[index].dismissed_reason = reason
    result.findings += outcome.findings
    result.notes += outcome.notes


async def review(
    paths: Sequence[Path],
    *,
    root: Path,
    backend: Backend | None = None,
    sources: Mapping[Path, str] | None = None,
    spec: Spec | None = None,
    isolated: bool = False,
) -> ReviewResult:
    """Review files and folders; static analysis always, the LLM too when ``backend`` is given.

    ``isolated`` runs the static layer in a lower-priority child process (``isolated.py``): the
    language server asks for it so a workspace review never competes with its event loop.
    """
    if isolated:
        result = await static_review_in_child(paths, root=root, sources=sources or {})
    else:
        result = await static_review(paths, root=root, sources=sources)
    if backend is not None and result.files:
        buffers = absolute_sources(root, sources)
        files = [(root / name).resolve() for name in result.files]
        texts = {
            p: buffers.get(p) or p.read_text(encoding="utf-8", errors="replace") for p in files
        }
        await _llm_pass(result, texts, root, backend, spec)
    result.risk_level = risk_level(result.findings)
    return result


__all__ = ["ReviewResult", "review"]
