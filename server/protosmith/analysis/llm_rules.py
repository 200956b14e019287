"""Rule codes for findings that come from the LLM review agent (grounded by cited lines)."""

from __future__ import annotations

from protosmith.rules import Rule

ARCHITECTURE = "PS250"
QUALITY = "PS251"
TEST_COVERAGE = "PS252"
SECURITY = "PS350"
PERFORMANCE = "PS450"
UNTRACED_CRITERION = "PS601"
CRITERION_WITHOUT_TEST = "PS602"

LLM_RULES: tuple[Rule, ...] = (
    Rule(
        ARCHITECTURE,
        "architecture-conformance",
        "The LLM review found code that departs from the recorded architecture (a component "
        "reaching past its declared interfaces, a pattern from `[architecture]` not followed). "
        "Reported only when the cited lines exist and contain what the claim says.",
        "Move the code behind the component's interface, or update the architecture record.",
    ),
    Rule(
        QUALITY,
        "llm-code-quality",
        "A code-quality problem the LLM review found and grounded in cited lines: error handling "
        "that swallows failures, misleading names, duplicated logic, dead code.",
        "Apply the attached instruction with `protosmith refine`, or fix by hand.",
        severity="minor",
    ),
    Rule(
        TEST_COVERAGE,
        "untested-behaviour",
        "Public behaviour with no test exercising it, according to the LLM review.",
        "Add a test for the cited function.",
        severity="minor",
    ),
    Rule(
        SECURITY,
        "llm-security",
        "A security weakness the LLM review found and grounded in cited lines, outside what the "
        "static taint rules cover (authorization logic, business-logic flaws).",
        "Follow the hardening instruction attached to the finding.",
    ),
    Rule(
        PERFORMANCE,
        "llm-performance",
        "A performance problem the LLM review found and grounded in cited lines.",
        "Apply the optimization as a validated refinement.",
        severity="minor",
    ),
    Rule(
        UNTRACED_CRITERION,
        "untraced-acceptance-criterion",
        "An acceptance criterion of a scenario in `protosmith.toml` that no reviewed code implements "
        "(no valid citation of code lines was given for it).",
        "Implement the criterion, or run `protosmith generate` again for the scenario.",
    ),
    Rule(
        CRITERION_WITHOUT_TEST,
        "criterion-without-test",
        "An acceptance criterion traced to code but to no test.",
        "Add a test that checks the criterion.",
        severity="minor",
    ),
)
