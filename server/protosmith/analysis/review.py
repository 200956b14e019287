"""The static review engine: ruff, bandit and protosmith's own rules over files.

``static_review`` reviews files and folders; ``review_source`` is the fast path for one unsaved
editor buffer (ruff on stdin, bandit and the taint engine in process). The use case that adds the
LLM pass, or runs this in a child process, is :mod:`protosmith.services.review`.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, Field

from protosmith.analysis.findings import Category, Finding, Severity, Tier, relative_path
from protosmith.analysis.fixes import attach_mechanical_fixes
from protosmith.analysis.other_languages import EXTENSIONS, review_other
from protosmith.analysis.positions import findings_to_code_points, reader
from protosmith.analysis.python_review import analyze_python, is_test_file, merge_bandit
from protosmith.analysis.static_tools import bandit_source, run_ruff
from protosmith.analysis.suppress import apply_suppressions

log = logging.getLogger(__name__)

SKIP_DIRS = frozenset(
    {
        ".venv",
        "venv",
        "node_modules",
        ".git",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".protosmith",
        "site-packages",
    }
)
PARALLEL_THRESHOLD = 40


class ReviewResult(BaseModel):
    """What a review found, over which files, with notes and the overall security risk level."""

    findings: list[Finding] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    risk_level: str = "MINIMAL"


def risk_level(findings: Sequence[Finding]) -> str:
    """CRITICAL/HIGH/MEDIUM/LOW/MINIMAL from the worst active, confirmed security finding
    (an unconfirmed one says "look here", not that the code is at risk)."""
    ranks = [
        f.severity.rank
        for f in findings
        if f.active and f.category == Category.SECURITY and f.tier == Tier.CONFIRMED
    ]
    if not ranks:
        return "MINIMAL"
    return ("CRITICAL", "HIGH", "MEDIUM", "LOW")[min(ranks)]


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (absolute when outside it)."""
    return relative_path(path, root)


def collect_files(paths: Sequence[Path], root: Path, extra: Sequence[Path] = ()) -> list[Path]:
    """Reviewable files under ``paths``; tool and dependency folders are skipped unless named."""
    found: dict[Path, None] = {}
    for given in paths:
        path = given if given.is_absolute() or not (root / given).exists() else root / given
        if path.is_file() or path.resolve() in extra:
            found[path.resolve()] = None
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(names):
                if name.endswith(".py") or Path(name).suffix in EXTENSIONS:
                    found[(Path(folder) / name).resolve()] = None
    return list(found)


_SPAWN = multiprocessing.get_context("spawn")


def _analyze_file(args: tuple[str, str, str]) -> tuple[list[Finding], list[Finding]]:
    """protosmith's own findings and bandit's for one file, in the same worker: bandit's work
    is spread over the workers with ours instead of running beside them as one more process."""
    name, text, root = args
    own = analyze_python(name, text, Path(root))
    unparsable = bool(own) and own[0].evidence.rule_id == "syntax"
    return own, [] if unparsable else bandit_source(name, text)


def _finish(
    path: str,
    text: str,
    own: list[Finding],
    ruff: list[Finding],
    bandit: list[Finding],
    read: Callable[[str], str | None],
) -> list[Finding]:
    findings_to_code_points([*own, *bandit], path, text, read)
    if is_test_file(path):  # a test's loops are not hot paths (ruff's perflint included)
        ruff = [f for f in ruff if f.category != Category.PERFORMANCE]
    findings = [*own, *merge_bandit(own, bandit), *ruff]
    attach_mechanical_fixes(findings, text)
    apply_suppressions(findings, text)
    findings.sort(
        key=lambda f: (f.range.start.line, f.range.start.character, f.severity.rank, f.code)
    )
    return findings


def review_source(path: Path, text: str, *, root: Path) -> list[Finding]:
    """Static findings for one in-memory Python file (editor open/save); fast enough per keystroke pause."""
    name = relative(path if path.is_absolute() else root / path, root)
    with ThreadPoolExecutor(max_workers=1) as pool:
        ruff = pool.submit(run_ruff, [path], root, stdin=text)
        own = analyze_python(name, text, root)
        bandit = bandit_source(name, text) if not own or own[0].evidence.rule_id != "syntax" else []
        ruff_findings = ruff.result().get(name, [])
    return _finish(name, text, own, ruff_findings, bandit, reader(root))


def _static_python(
    files: list[Path], root: Path, sources: Mapping[Path, str]
) -> dict[str, list[Finding]]:
    texts: dict[str, str] = {}
    for path in files:
        try:
            texts[relative(path, root)] = (
                sources[path]
                if path in sources
                else path.read_text(encoding="utf-8", errors="replace")
            )
        except OSError as error:
            log.warning("cannot read %s: %s", path, error)
    on_disk = [p for p in files if p not in sources and relative(p, root) in texts]
    with ThreadPoolExecutor(max_workers=1) as pool:
        ruff_job = pool.submit(run_ruff, on_disk, root)
        jobs = [(name, text, str(root)) for name, text in texts.items()]
        if len(jobs) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
            # spawn, not fork: the language server has threads, and a forked child can inherit a
            # lock some other thread held (logging, imports) and hang forever.
            with ProcessPoolExecutor(
                max_workers=min(4, os.cpu_count() or 1), mp_context=_SPAWN
            ) as processes:
                results = list(processes.map(_analyze_file, jobs, chunksize=8))
        else:
            results = [_analyze_file(job) for job in jobs]
        ruff_results = ruff_job.result()
    for path in files:
        if path in sources:
            ruff_results.update(run_ruff([path], root, stdin=sources[path]))
    read = reader(root, texts)
    return {
        name: _finish(name, text, own, ruff_results.get(name, []), bandit, read)
        for (name, text, _), (own, bandit) in zip(jobs, results, strict=True)
    }


async def static_review(
    paths: Sequence[Path], *, root: Path, sources: Mapping[Path, str] | None = None
) -> ReviewResult:
    """The static layer alone (ruff, bandit, protosmith's rules, other languages' analyzers)."""
    buffers = absolute_sources(root, sources)
    files = collect_files(paths, root, extra=list(buffers))
    python = [p for p in files if p.suffix == ".py"]
    others: dict[str, list[Path]] = {}
    for path in files:
        if path.suffix in EXTENSIONS:
            others.setdefault(EXTENSIONS[path.suffix], []).append(path)
    per_file = await asyncio.to_thread(_static_python, python, root, buffers)
    result = ReviewResult(files=[relative(p, root) for p in files])
    for name in sorted(per_file):
        result.findings += per_file[name]
    if others:
        other_findings, notes = await asyncio.to_thread(review_other, others, root)
        findings_to_code_points(other_findings, None, None, reader(root))
        result.findings += other_findings
        result.notes += notes
    result.risk_level = risk_level(result.findings)
    return result


def absolute_sources(root: Path, sources: Mapping[Path, str] | None) -> dict[Path, str]:
    """Unsaved buffers keyed by resolved absolute path, as ``collect_files`` returns them."""
    return {
        (p if p.is_absolute() else root / p).resolve(): text for p, text in (sources or {}).items()
    }


__all__ = ["ReviewResult", "Severity", "review_source", "risk_level", "static_review"]
