"""The security corpus: every expected finding is found, safe variants are not flagged."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from protosmith.analysis.findings import Category, Tier
from protosmith.analysis.python_review import analyze_python
from protosmith.analysis.suppress import apply_suppressions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.review_corpus import CORPUS, cases, expectations, report

FILES = sorted(CORPUS.glob("*.py"))


def test_corpus_is_large_and_balanced() -> None:
    all_cases = cases()
    assert len(all_cases) >= 60
    assert sum(c.vulnerable for c in all_cases) >= 30
    assert sum(not c.vulnerable for c in all_cases) >= 25


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    findings = [f for f in analyze_python(path.name, text) if f.category == Category.SECURITY]
    apply_suppressions(findings, text)
    confirmed = [f for f in findings if f.active and f.tier == Tier.CONFIRMED]
    got = {f"{f.code}@{f.range.start.line + 1}" for f in confirmed}
    assert got == expectations(path), [f.message for f in confirmed]
    for finding in confirmed:
        if finding.evidence.source == "taint" and finding.evidence.rule_id != "weakrand":
            assert finding.related, "a taint finding names where the data entered"
            assert "untrusted data from" in finding.message


def test_corpus_rates_against_bandit(capsys: pytest.CaptureFixture[str]) -> None:
    table = report()
    with capsys.disabled():
        print("\n" + table)
    ours, bandit = (
        float(x.split()[-1]) for x in table.splitlines()[-1].split(":", 1)[1].split(",")
    )
    assert ours > bandit + 0.3
