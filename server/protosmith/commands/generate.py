"""``protosmith generate``: run the agent pipeline on a spec from the terminal.

Exit codes: 0 succeeded, 1 failed or partial (or budget spent), 2 bad spec, 130 interrupted
(with the command that resumes the run). ``--json`` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from protosmith.pipeline.api import GenerateOptions, RunSummary

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_SPEC = 2
EXIT_INTERRUPTED = 130


def _exit_code(summary: RunSummary) -> int:
    if summary.status == "succeeded":
        return EXIT_OK
    if summary.status == "cancelled":
        return EXIT_INTERRUPTED
    return EXIT_FAILED


def _print_text(summary: RunSummary) -> None:
    print(f"run {summary.run_id}: {summary.status}")
    for item in summary.components:
        print(f"  {item.name:<20} {item.language:<11} {item.status:<8} {item.detail}")
    tests = summary.tests
    print(f"files: {len(summary.files)} written under {summary.output}/")
    print(
        f"tests: {tests.passed} passed, {tests.failed} failed of {tests.ran} run; "
        f"{tests.not_run} component(s) not run"
    )
    cost = "unknown" if summary.cost_usd is None else f"${summary.cost_usd:.4f}"
    print(
        f"llm calls: {summary.llm_calls} (cache hits {summary.cache_hits}); tokens "
        f"{summary.prompt_tokens} prompt + {summary.completion_tokens} completion; "
        f"cost {cost}; {summary.duration_s:.1f}s"
    )
    if summary.limits is not None:
        print(f"limits: {summary.limits.describe()}")
    print(summary.message)


def _check(spec_path: Path) -> list[str]:
    """Check-style problem lines, empty when the spec is valid."""
    from protosmith.pipeline.service import SpecInvalid, load

    try:
        load(spec_path)
    except SpecInvalid as error:
        return error.problems
    return []


def run(args: argparse.Namespace) -> int:
    """Validate the spec, run the pipeline with a progress display, print the summary."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="protosmith: %(message)s")
    spec_path = Path(args.spec).resolve()
    problems = _check(spec_path)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        if args.json:
            failed = RunSummary(run_id="", status="failed", message="invalid spec")
            print(failed.model_dump_json())
        return EXIT_BAD_SPEC
    workspace = spec_path.parent
    resume = args.resume
    if resume == "last":
        from protosmith.pipeline.journal import latest_run

        resume = latest_run(workspace)
    from protosmith.cli import settings_overrides

    cli_settings: dict[str, object] = settings_overrides(args)
    if getattr(args, "settings_json", None):
        cli_settings.update(json.loads(args.settings_json))
    options = GenerateOptions(
        spec_path=spec_path,
        workspace=workspace,
        concurrency=args.concurrency,
        resume=resume,
        cli_settings=cli_settings,
    )
    from protosmith.pipeline.service import generate
    from protosmith.report.progress import progress_display

    display = progress_display(machine=getattr(args, "progress_json", False))
    try:
        summary = asyncio.run(generate(options, progress=display))
    except KeyboardInterrupt:
        display.close()
        print(
            "protosmith: interrupted; run `protosmith generate --resume last` to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    display.close()
    if args.json:
        print(summary.model_dump_json())
    else:
        _print_text(summary)
    if summary.status == "cancelled":
        print(f"protosmith: {summary.message}", file=sys.stderr)
    return _exit_code(summary)
