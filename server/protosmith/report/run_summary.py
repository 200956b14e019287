"""A generation's summary as a newcomer reads it: what was built, what ran, what it cost.

Files are shown as a tree, tests per component, the review's findings and fixes, and, when the
run did not succeed, what was not proven, the step that failed and the command that continues.
"""

from __future__ import annotations

import re

from protosmith.pipeline.api import ComponentResult, RunSummary, UsageShare

TREE_LIMIT = 60
"""Files shown in the tree; a bigger prototype shows the first ones and a count."""


def file_tree(paths: list[str]) -> list[str]:
    """``paths`` (``a/b/c.py``) drawn as an indented tree with box-drawing branches."""
    tree: dict[str, dict] = {}
    for path in paths[:TREE_LIMIT]:
        node = tree
        for part in path.split("/"):
            node = node.setdefault(part, {})
    lines: list[str] = []

    def walk(node: dict, prefix: str) -> None:
        names = sorted(node, key=lambda n: (not node[n], n))  # folders first
        for index, name in enumerate(names):
            last = index == len(names) - 1
            child = node[name]
            lines.append(f"{prefix}{'└── ' if last else '├── '}{name}{'/' if child else ''}")
            walk(child, prefix + ("    " if last else "│   "))

    walk(tree, "")
    if len(paths) > TREE_LIMIT:
        lines.append(f"... and {len(paths) - TREE_LIMIT} more file(s)")
    return lines


def _usage(share: UsageShare) -> str:
    if not share.priced:
        cost = "unknown (no known price for this model at this endpoint)"
    else:
        cost = f"${share.cost_usd:.4f}" if share.cost_usd else "$0 (local)"
    return (
        f"llm calls: {share.llm_calls} (cache hits {share.cache_hits}); tokens "
        f"{share.prompt_tokens} prompt + {share.completion_tokens} completion; cost {cost}; "
        f"{share.duration_s:.1f}s"
    )


_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test\.[^/]+|[^/]*\.(test|spec)\.[^/]+)$")


def _tests(item: ComponentResult) -> str:
    """How many of the component's tests passed, and in which files (what a newcomer re-runs)."""
    files = [path for path in item.files if _TEST_FILE.search(path)]
    where = f" in {', '.join(files[:3])}" if files else ""
    if item.tests_ran:
        return f"{item.tests_passed} of {item.tests_ran} test(s) passed{where}"
    if files:
        return f"no tests ran (written{where})"
    return "no tests ran (none were written)"


def _review(item: ComponentResult) -> str:
    review = item.review
    if review is None:
        return "not reviewed"
    if review.detail:
        return review.detail
    if not review.findings:
        return "review: no findings"
    severities = ", ".join(f"{n} {s}" for s, n in sorted(review.by_severity.items()))
    text = f"review: {review.findings} finding(s) ({severities})"
    if review.fixed or review.not_fixed:
        text += f", {review.fixed} fixed automatically, {review.not_fixed} not fixed"
    return text


def render_summary(summary: RunSummary) -> str:
    """The text ``protosmith generate`` prints at the end of a run."""
    lines = [f"run {summary.run_id}: {summary.status}"]
    if summary.design == "fallback":
        lines.append(
            "design: fallback: one component derived from the spec (the model gave no valid "
            "design, or is too small to be asked for one)"
        )
    elif summary.design == "architect":
        lines.append(f"design: by the architecture agent, {len(summary.components)} component(s)")
    if summary.components:
        lines.append("components:")
        for item in summary.components:
            lines.append(f"  {item.name:<20} {item.language:<11} {item.status:<8} {item.detail}")
            lines.append(f"  {'':<20} {_tests(item)}; {_review(item)}")
    if summary.files:
        lines.append(f"generated files ({len(summary.files)}):")
        lines.extend("  " + line for line in file_tree(summary.files))
    else:
        lines.append("generated files: none")
    tests = summary.tests
    lines.append(
        f"tests: {tests.passed} passed, {tests.failed} failed of {tests.ran} run; "
        f"{tests.not_run} component(s) not run"
    )
    if summary.gaps:
        lines.append("not proven:")
        for gap in summary.gaps:
            fix = f" (fix: {gap.fix})" if gap.fix else ""
            lines.append(f"  - {gap.subject}: {gap.reason}{fix}")
    if summary.failed_step:
        lines.append(f"first failed step: {summary.failed_step}")
    if summary.removed_files:
        lines.append(
            f"removed {len(summary.removed_files)} file(s) of an earlier design of this run: "
            + ", ".join(summary.removed_files[:10])
        )
    if summary.stale_files:
        shown = ", ".join(summary.stale_files[:10])
        more = f" and {len(summary.stale_files) - 10} more" if len(summary.stale_files) > 10 else ""
        lines.append(
            f"not written by this run (left from an earlier run; delete them if unwanted): "
            f"{shown}{more}"
        )
    usage = summary.usage
    if usage.sessions > 1:
        lines.append(f"run total over {usage.sessions} sessions: {_usage(usage.total)}")
        lines.append(f"this session: {_usage(usage.session)}")
    else:
        lines.append(_usage(usage.total))
    if summary.limits is not None:
        lines.append(f"limits: {summary.limits.describe()}")
    lines.append(summary.message)
    return "\n".join(lines)
