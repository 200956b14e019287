"""The end-of-run summary as a newcomer reads it, for a failed and a succeeded run."""

from __future__ import annotations

from protosmith.pipeline import api
from protosmith.report.run_summary import render_summary

FILES = ["hello/__init__.py", "hello/hello/__init__.py", "hello/hello/test_hello.py"]


def test_a_failed_run_names_the_tests_that_ran_and_the_step_that_failed() -> None:
    summary = api.RunSummary(
        run_id="r1",
        status="failed",
        files=FILES,
        design="fallback",
        components=[
            api.ComponentResult(
                name="hello", language="python", status="failed", files=FILES[1:],
                tests_ran=1, tests_failed=1, review=api.ReviewResult(),
            )
        ],
        tests=api.TestCounts(ran=1, failed=1),
        gaps=[api.RunGap(kind="failed", subject="hello", reason="tests failed")],
        failed_step="verify:hello: tests failed",
    )  # fmt: skip
    text = render_summary(summary)
    assert "0 of 1 test(s) passed in hello/hello/test_hello.py; review: no findings" in text
    assert "design: fallback: one component derived from the spec" in text
    assert "│   │   └── test_hello.py" in text or "└── test_hello.py" in text
    assert "first failed step: verify:hello: tests failed" in text


def test_a_succeeded_run_and_a_component_without_tests() -> None:
    summary = api.RunSummary(
        run_id="r2",
        status="succeeded",
        files=FILES,
        design="architect",
        components=[
            api.ComponentResult(
                name="hello", language="python", status="passed", files=FILES[1:],
                tests_ran=2, tests_passed=2,
            ),
            api.ComponentResult(name="cli", language="python", status="generated", files=["cli/a.py"]),
        ],
        tests=api.TestCounts(ran=2, passed=2),
    )  # fmt: skip
    text = render_summary(summary)
    assert "2 of 2 test(s) passed in hello/hello/test_hello.py" in text
    assert "no tests ran (none were written)" in text
    assert "first failed step" not in text and "not proven" not in text
