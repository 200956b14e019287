"""PS5xx: what real test runs found. Listed in :mod:`protosmith.rulebook`, which docs/rules.md is generated from."""

from __future__ import annotations

from protosmith.rules import Rule

FAILING_TEST = "PS501"
BUILD_ERROR = "PS502"
TEST_TIMEOUT = "PS503"
TOOLCHAIN_MISSING = "PS504"
CONTRACT_VIOLATION = "PS505"

EXECUTION_RULES = (
    Rule(
        FAILING_TEST,
        "failing-test",
        "A test failed or errored when it was actually run in the sandbox; the diagnostic sits on "
        "the line where it failed and carries the runner's message.",
        "Read the assertion message and fix the code under test (or the test, when its "
        "expectation is wrong); `protosmith refine` with the failure as the instruction can do it.",
        severity="major",
    ),
    Rule(
        BUILD_ERROR,
        "build-error",
        "The code or its tests did not compile, or the test runner could not collect them, so no "
        "test ran. The compiler's or collector's output is attached.",
        "Fix the first reported compile or import error; later errors often follow from it.",
        severity="critical",
    ),
    Rule(
        TEST_TIMEOUT,
        "test-timeout",
        "The test run exceeded its wall-clock limit and was killed (an infinite loop, a deadlock, "
        "or a test waiting on the network, which the sandbox blocks).",
        "Look for loops without an exit, blocking calls without timeouts, and tests that need "
        "network access; mock the network in unit tests.",
        severity="major",
    ),
    Rule(
        TOOLCHAIN_MISSING,
        "toolchain-missing",
        "The tests were not run because the language's toolchain (or a dependency it needs "
        "offline) is not available here; nothing is claimed about whether they pass.",
        "Install the toolchain with the command in the message (`protosmith doctor` lists all), "
        "then run again.",
        severity="info",
    ),
    Rule(
        CONTRACT_VIOLATION,
        "contract-violation",
        "In the integration smoke test a service answered a contract operation with a status or "
        "a body that the OpenAPI contract does not allow, or did not start listening.",
        "Make the handler return the documented status and a body matching the response schema, "
        "or correct the contract if the service is right.",
        severity="major",
    ),
)
