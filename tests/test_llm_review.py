"""LLM review with the scripted backend: grounded claims kept, hallucinated citations dropped."""

from __future__ import annotations

import json
from pathlib import Path

from protosmith.analysis import llm_rules
from protosmith.analysis.findings import Category, Evidence, Finding, Range, Severity
from protosmith.llm.scripted import ScriptedBackend
from protosmith.services.llm_review import llm_review
from protosmith.spec.model import Spec

SOURCE = """import sqlite3


def find_user(db, name):
    query = "SELECT * FROM users WHERE name = '" + name + "'"
    return db.execute(query).fetchall()


def total(items):
    result = 0
    for item in items:
        result = result + item
    return result
"""


def _spec() -> Spec:
    return Spec.model_validate(
        {
            "project": {"name": "users"},
            "scenarios": [
                {"name": "lookup", "acceptance": ["find a user by name", "sum the items"]},
            ],
        }
    )


def _reply() -> str:
    return json.dumps(
        {
            "claims": [
                {
                    "kind": "security",
                    "severity": "critical",
                    "path": "app.py",
                    "line_start": 5,
                    "line_end": 6,
                    "quote": '"SELECT * FROM users WHERE name = \'" + name',
                    "message": "SQL built by concatenation",
                    "fix_instruction": "use a parameterized query",
                },
                {
                    "kind": "quality",
                    "path": "app.py",
                    "line_start": 40,
                    "line_end": 41,
                    "quote": "",
                    "message": "hallucinated: lines do not exist",
                },
                {
                    "kind": "quality",
                    "path": "app.py",
                    "line_start": 10,
                    "line_end": 10,
                    "quote": "os.system(cmd)",
                    "message": "hallucinated: quote is not there",
                },
                {
                    "kind": "performance",
                    "path": "other.py",
                    "line_start": 1,
                    "line_end": 1,
                    "message": "hallucinated: unknown file",
                },
            ],
            "triage": [{"index": 0, "verdict": "dismiss", "reason": "test fixture only"}],
            "traces": [
                {
                    "scenario": "lookup",
                    "criterion": "find a user by name",
                    "code_path": "app.py",
                    "code_line": 4,
                    "test_path": "",
                    "test_line": 0,
                }
            ],
        }
    )


async def test_grounded_claims_kept_and_hallucinations_dropped(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text(SOURCE, encoding="utf-8")
    spec_path = tmp_path / "protosmith.toml"
    spec_path.write_text(
        '[project]\nname = "users"\n\n[[scenarios]]\nname = "lookup"\n'
        'acceptance = ["find a user by name", "sum the items"]\n',
        encoding="utf-8",
    )
    static = Finding(
        code="PS301",
        category=Category.SECURITY,
        severity=Severity.CRITICAL,
        message="SQL injection",
        path=str(source),
        range=Range.lines(4),
        evidence=Evidence(source="taint"),
    )
    backend = ScriptedBackend([_reply()])
    outcome = await llm_review(
        {source: SOURCE},
        root=tmp_path,
        backend=backend,
        static_findings=[static],
        spec=_spec(),
        spec_path=spec_path,
    )
    codes = [finding.code for finding in outcome.findings]
    assert codes.count(llm_rules.SECURITY) == 1
    security = next(f for f in outcome.findings if f.code == llm_rules.SECURITY)
    assert security.evidence.cited_lines == [5, 6]
    assert security.range.start.line == 4
    assert len(outcome.dropped_claims) == 3
    assert outcome.dismissed == {0: "test fixture only"}
    # One criterion traced to code without a test, the other not traced at all.
    assert llm_rules.CRITERION_WITHOUT_TEST in codes
    untraced = next(f for f in outcome.findings if f.code == llm_rules.UNTRACED_CRITERION)
    assert "sum the items" in untraced.message
    assert untraced.range.start.line == 5  # zero-based line of the acceptance list
    # The prompt showed numbered source and the static finding to triage.
    prompt = backend.requests[0].messages[-1].content
    assert "   5| " in prompt and "[0]" in prompt


async def test_invalid_reply_is_retried(tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text(SOURCE, encoding="utf-8")
    backend = ScriptedBackend(["not json at all", json.dumps({"claims": [], "triage": []})])
    outcome = await llm_review({source: SOURCE}, root=tmp_path, backend=backend)
    assert outcome.findings == []
    assert len(backend.requests) == 2
