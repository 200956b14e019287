"""What each graph task hands to the tasks after it: one typed result per task kind.

Tasks pass these objects to each other as they are; only the journal turns them into JSON
(a finished task's file) and back (a resumed run), so no reader re-parses a dict.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from protosmith.agents.models import ComponentCode, InterfaceDraft, TestSuite
from protosmith.analysis.findings import Finding
from protosmith.pipeline.keys import task_id

Outcome = Literal["passed", "failed", "not_run"]


class InterfaceResult(BaseModel):
    """``interface:<component>``: the drafted interface, or the deterministic fallback."""

    draft: InterfaceDraft
    fallback: bool = False


class CodeResult(BaseModel):
    """``implement:<component>``: the first accepted code (repairs live in the verify result)."""

    code: ComponentCode
    attempts: int = 0
    accepted: bool | None = None
    """True when the code came from the accepted-state store, not from the model."""


class SuiteResult(BaseModel):
    """``tests:<component>``: the first accepted test suite."""

    suite: TestSuite
    attempts: int = 0
    accepted: bool | None = None


class RepairRound(BaseModel):
    """One repair round: who was blamed for the failure, and why."""

    round: int
    culprit: str
    reason: str


class VerifyResult(BaseModel):
    """``verify:<component>``: the real test outcome, and the code or tests a repair changed."""

    status: Outcome
    detail: str
    rounds: int = 0
    repaired: list[RepairRound] | None = None
    ran: int = 0
    passed: int = 0
    failed: int = 0
    code: ComponentCode | None = None
    """The repaired code, when a repair changed it."""
    suite: TestSuite | None = None
    """The repaired tests, when a repair changed them."""


class ReviewOutcome(BaseModel):
    """``review:<component>``: finding counts by severity and what the automatic fixing did."""

    available: bool
    detail: str | None = None
    findings: dict[str, int] | None = None
    """``total`` and one count per severity."""
    remediations: list[dict[str, str]] | None = None
    """One outcome per problem, as :func:`protosmith.pipeline.remediate.remediate` reports it."""


class TreeTests(BaseModel):
    """A whole language tree's tests in one run."""

    status: str
    passed: int
    failed: int
    reason: str


class ImportRun(BaseModel):
    ran: int
    failed: list[str]


class LanguageTree(BaseModel):
    """One language's tree in the integration stage."""

    components: list[str]
    status: str | None = None
    """Set only when nothing ran (``not_run``), with ``reason``."""
    reason: str | None = None
    tests: TreeTests | None = None
    imports: ImportRun | None = None


class SmokeRun(BaseModel):
    """The smoke run of an entry component's start command."""

    command: str
    status: str
    detail: str
    output: str = ""


class TreeReport(BaseModel):
    """Per language tree: its tests together, its imports, its entry point started."""

    status: Outcome
    detail: str
    languages: dict[str, LanguageTree] = Field(default_factory=dict)
    commands: dict[str, SmokeRun] = Field(default_factory=dict)


class ServiceCheck(BaseModel):
    """One service of a polyglot run started and checked against its contract."""

    model_config = ConfigDict(populate_by_name=True)

    status: str
    reason: str | None = None
    """Why it was not started."""
    command: str | None = None
    started_with: list[str] | None = Field(default=None, alias="with")
    """The providers started for it."""
    checks: int | None = None
    problems: list[str] | None = None


class ContractSmoke(BaseModel):
    """The contracts stage of a polyglot run: every service against its contract."""

    status: Outcome
    detail: str
    services: dict[str, ServiceCheck]
    findings: list[Finding]


class IntegrationResult(BaseModel):
    """``integration:services``: the components together (and the services, when polyglot)."""

    status: Outcome
    detail: str
    tree: TreeReport
    services: dict[str, ServiceCheck] | None = None
    findings: list[Finding] | None = None


class DocsResult(BaseModel):
    """The documentation stage: why the prose was rendered deterministically, if it was."""

    note: str = ""


TaskResult = (
    InterfaceResult | CodeResult | SuiteResult | VerifyResult | ReviewOutcome | IntegrationResult
)
RESULT_TYPES: dict[str, type[TaskResult]] = {
    "interface": InterfaceResult,
    "implement": CodeResult,
    "tests": SuiteResult,
    "verify": VerifyResult,
    "review": ReviewOutcome,
    "integration": IntegrationResult,
}
"""Task kind to the type of its result (how a resumed run reads a saved one back)."""


_T = TypeVar("_T", bound=BaseModel)


class Results:
    """The typed results of one run's finished tasks, by task id."""

    def __init__(self) -> None:
        self._by_id: dict[str, BaseModel] = {}

    def put(self, tid: str, result: BaseModel) -> None:
        self._by_id[tid] = result

    def __contains__(self, tid: object) -> bool:
        return tid in self._by_id

    def _get(self, tid: str, kind: type[_T]) -> _T | None:
        found = self._by_id.get(tid)
        return found if isinstance(found, kind) else None

    def interface(self, name: str) -> InterfaceResult:
        return self._need(task_id("interface", name), InterfaceResult)

    def code(self, name: str) -> CodeResult:
        return self._need(task_id("implement", name), CodeResult)

    def suite(self, name: str) -> SuiteResult:
        return self._need(task_id("tests", name), SuiteResult)

    def verify(self, name: str) -> VerifyResult | None:
        return self._get(task_id("verify", name), VerifyResult)

    def review(self, name: str) -> ReviewOutcome | None:
        return self._get(task_id("review", name), ReviewOutcome)

    def integration(self) -> IntegrationResult | None:
        return self._get(task_id("integration", "services"), IntegrationResult)

    def _need(self, tid: str, kind: type[_T]) -> _T:
        found = self._get(tid, kind)
        if found is None:
            raise KeyError(tid)
        return found


def dumped(result: BaseModel) -> dict[str, Any]:
    """The JSON form a journal stores (absent fields stay absent, as readers expect)."""
    return result.model_dump(mode="json", exclude_none=True, by_alias=True)
