"""ruff and bandit: run them (once over a tree, or on one in-memory buffer) and map results to findings."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import threading
import tokenize
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from protosmith.analysis import rules
from protosmith.analysis.findings import (
    Category,
    Evidence,
    Finding,
    Fix,
    Position,
    Range,
    Severity,
    TextEdit,
    relative_path,
)

log = logging.getLogger(__name__)

RUFF_SELECT = "E4,E7,E9,F,B,SIM,C901,PERF"
RUFF_ARGS = [
    "check",
    "--output-format",
    "json",
    "--isolated",
    "--no-cache",
    "--exit-zero",
    "--select",
    RUFF_SELECT,
    "--config",
    "lint.mccabe.max-complexity=12",
]
BANDIT_SEVERITY = {"HIGH": Severity.MAJOR, "MEDIUM": Severity.MINOR, "LOW": Severity.INFO}
BANDIT_KINDS: dict[str, str] = {
    "B608": "sqli",
    "B602": "cmdi",
    "B603": "cmdi",
    "B604": "cmdi",
    "B605": "cmdi",
    "B606": "cmdi",
    "B607": "cmdi",
    "B609": "cmdi",
    "B307": "codeinj",
    "B102": "codeinj",
    "B301": "deserialization",
    "B302": "deserialization",
    "B506": "deserialization",
    "B310": "ssrf",
    "B313": "xxe",
    "B314": "xxe",
    "B315": "xxe",
    "B316": "xxe",
    "B317": "xxe",
    "B318": "xxe",
    "B319": "xxe",
    "B320": "xxe",
    "B311": "weakrand",
    "B303": "hash",
    "B324": "hash",
    "B105": "secret",
    "B106": "secret",
    "B107": "secret",
    "B201": "debug",
    "B501": "tls",
    "B502": "tls",
    "B503": "tls",
    "B504": "tls",
    "B323": "tls",
    "B701": "xss",
    "B702": "xss",
    "B703": "xss",
    "B704": "xss",
}
BANDIT_IMPORT_NOTES = frozenset(
    {"B101", "B403", "B404", "B405", "B406", "B407", "B408", "B409", "B410", "B411", "B412", "B413"}
)
"""Bandit results about an import or an assert, not a vulnerability; kept but not active."""


def _ruff_command() -> list[str]:
    return [sys.executable, "-m", "ruff"]


def _ruff_rule(code: str) -> tuple[str, Severity, Category]:
    if code.startswith("PERF"):
        return rules.RUFF_PERF, Severity.INFO, Category.PERFORMANCE
    if code == "C901":
        return rules.COMPLEXITY, Severity.MINOR, Category.QUALITY
    if code in ("F401", "F841", "F811"):
        return rules.UNUSED, Severity.MINOR, Category.QUALITY
    if code.startswith("F"):
        return rules.LIKELY_BUG, Severity.MAJOR, Category.QUALITY
    if code.startswith("B"):
        return rules.BUGBEAR, Severity.MINOR, Category.QUALITY
    if code.startswith("SIM"):
        return rules.SIMPLIFY, Severity.INFO, Category.QUALITY
    if code.startswith("E9") or code == "invalid-syntax" or not code:
        return rules.SYNTAX, Severity.CRITICAL, Category.QUALITY
    return rules.STYLE, Severity.MINOR, Category.QUALITY


def _position(location: dict[str, int] | None) -> Position:
    location = location or {"row": 1, "column": 1}
    return Position(line=max(location["row"] - 1, 0), character=max(location["column"] - 1, 0))


def ruff_finding(item: dict[str, Any], path: str) -> Finding:
    """One ruff JSON result as a finding (with ruff's own fix as text edits)."""
    code = item.get("code") or "invalid-syntax"
    rule, severity, category = _ruff_rule(code)
    fix = None
    raw_fix = item.get("fix")
    if raw_fix and raw_fix.get("edits"):
        edits = [
            TextEdit(
                path=path,
                range=Range(start=_position(e["location"]), end=_position(e["end_location"])),
                new_text=e.get("content") or "",
            )
            for e in raw_fix["edits"]
        ]
        unsafe = raw_fix.get("applicability") != "safe"
        title = raw_fix.get("message") or f"Fix {code}"
        fix = Fix(title=f"{title} (ruff{', unsafe' if unsafe else ''})", edits=edits)
    return Finding(
        code=rule,
        category=category,
        severity=severity,
        message=f"{item.get('message', '')} ({code})",
        path=path,
        range=Range(start=_position(item.get("location")), end=_position(item.get("end_location"))),
        evidence=Evidence(source="ruff", rule_id=code, detail=item.get("url") or ""),
        confidence=0.95,
        fix=fix,
    )


def bandit_finding(item: dict[str, Any], path: str, lines: list[str]) -> Finding:
    """One bandit result as a finding; the review decides later whether taint analysis confirms it."""
    test_id = item.get("test_id", "")
    kind = BANDIT_KINDS.get(test_id)
    security = rules.BY_KIND.get(kind) if kind else None
    line = max(int(item.get("line_number", 1)) - 1, 0)
    col = int(item.get("col_offset", 0))
    # bandit's columns are the ast's UTF-8 byte offsets; analysis/positions.py converts them.
    width = len(lines[line].encode("utf-8")) if line < len(lines) else col
    end_col = int(item.get("end_col_offset") or width)
    cwe = (item.get("issue_cwe") or {}).get("id")
    severity = BANDIT_SEVERITY.get(item.get("issue_severity", "LOW"), Severity.INFO)
    if item.get("issue_confidence") == "LOW" and severity != Severity.INFO:
        severity = Severity.MINOR if severity == Severity.MAJOR else Severity.INFO
    return Finding(
        code=security.code if security else rules.OTHER_SECURITY,
        category=Category.SECURITY,
        severity=severity,
        message=f"{item.get('issue_text', '')} (bandit {test_id})",
        path=path,
        range=Range(
            start=Position(line=line, character=col),
            end=Position(line=line, character=max(end_col, col)),
        ),
        evidence=Evidence(source="bandit", rule_id=test_id, detail=item.get("more_info", "")),
        cwe=security.cwe if security else cwe,
        confidence={"HIGH": 0.8, "MEDIUM": 0.6}.get(item.get("issue_confidence", ""), 0.4),
    )


def run_ruff(
    files: Sequence[Path], root: Path, *, stdin: str | None = None
) -> dict[str, list[Finding]]:
    """ruff over many files in one process, or over one buffer (``stdin``) for ``files[0]``."""
    if not files:
        return {}
    command = [*_ruff_command(), *RUFF_ARGS]
    if stdin is not None:
        command += ["--stdin-filename", str(files[0]), "-"]
    else:
        command += [str(f) for f in files]
    try:
        done = subprocess.run(
            command, input=stdin, capture_output=True, text=True, cwd=root, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("ruff could not run: %s", error)
        return {}
    try:
        items = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        log.warning("ruff gave no JSON: %s", done.stderr.strip()[:500])
        return {}
    results: dict[str, list[Finding]] = {}
    for item in items:
        path = relative_path(item.get("filename") or str(files[0]), root)
        results.setdefault(path, []).append(ruff_finding(item, path))
    return results


_BANDIT_LOCK = threading.Lock()
UNUSED_BANDIT_FORMATTERS = frozenset({"sarif"})
"""Bandit's report formatters that need an extra protosmith does not install (``sarif_om``):
protosmith reads bandit's issues in process and writes its own SARIF, so their failing to
load is expected and not the user's to act on."""
BANDIT_COVERED = frozenset({"B201", "B324", "B501", "B701"})
"""Bandit tests protosmith's own pattern rules decide at least as well, so they are not run:
``debug=True`` (PS318), hashlib's weak hashes (PS315, which also reads ``usedforsecurity`` given
by position), ``verify=False`` (PS319, for any client, and literals passed on to a helper), Jinja2
without autoescape (PS307, which reads module constants instead of flagging every non-literal)."""


class _UnusedFormatterFilter(logging.Filter):
    """Drops stevedore's "Could not load 'sarif'" error for a bandit formatter we never use
    (bandit loads every formatter when it is imported); every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        # by the rendered text, not stevedore's format string, which differs between versions
        if not str(record.msg).startswith("Could not load"):
            return True
        text = record.getMessage()
        if any(f"'{name}'" in text for name in UNUSED_BANDIT_FORMATTERS):
            log.debug("bandit formatter not loaded: %s", text)
            return False
        return True


for _logger in ("stevedore.extension", "stevedore"):
    logging.getLogger(_logger).addFilter(_UnusedFormatterFilter())


@lru_cache(maxsize=2)
def _bandit_manager(bidi: bool) -> Any:
    """bandit without the tests in ``BANDIT_COVERED``; without its trojan-source test (B613,
    which reads every line of the file) for a text with no bidirectional control character,
    where it cannot report anything."""
    from bandit.core import config, manager

    logging.getLogger("bandit").setLevel(logging.ERROR)
    exclude = set(BANDIT_COVERED) if bidi else {*BANDIT_COVERED, "B613"}
    return manager.BanditManager(
        config.BanditConfig(), "file", quiet=True, profile={"exclude": exclude}
    )


def _has_bidi(text: str) -> bool:
    from bandit.plugins.trojansource import BIDI_CHARACTERS

    return any(char in text for char in BIDI_CHARACTERS)


@lru_cache(maxsize=1)
def _bandit_tester() -> type:
    from bandit.core import tester

    class QuickNosecTester(tester.BanditTester):  # type: ignore[misc]
        """bandit's tester, without looking for ``# nosec`` on every line of every node's
        statement, for every test, when the file has no ``# nosec`` at all: that scan made
        bandit quadratic in the length of long strings and statements (most of its time)."""

        def _get_nosecs_from_contexts(self, context: Any, test_result: Any = None) -> Any:
            if not self.nosec_lines:
                return None  # what bandit returns when no line has a nosec comment
            return super()._get_nosecs_from_contexts(context, test_result)

    return QuickNosecTester


def _nosec_lines(text: str) -> dict[int, Any]:
    """Line → the tests its ``# nosec`` comment names (an empty set: all), as bandit reads them;
    only lines that have one (bandit also keeps every other comment, as None)."""
    if "nosec" not in text:
        return {}
    from bandit.core.manager import _parse_nosec_comment

    found: dict[int, Any] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                tests = _parse_nosec_comment(token.string)
                if tests is not None:
                    found[token.start[0]] = tests
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def bandit_source(path: str, text: str) -> list[Finding]:
    """bandit on one in-memory buffer, in process (its start-up cost is paid once per server)."""
    from bandit.core import metrics, node_visitor

    nosec = _nosec_lines(text)
    with _BANDIT_LOCK:
        mgr = _bandit_manager(_has_bidi(text))
        mgr.metrics = metrics.Metrics()
        mgr.metrics.begin(path)  # bandit counts nosec comments per file
        visitor = node_visitor.BanditNodeVisitor(
            path, io.BytesIO(text.encode("utf-8")), mgr.b_ma, mgr.b_ts, False, nosec, mgr.metrics
        )
        visitor.tester = _bandit_tester()(mgr.b_ts, False, nosec, mgr.metrics)
        try:
            visitor.process(text.encode("utf-8"))
        except SyntaxError:
            return []
        except Exception:  # boundary: bandit's bug on one file must not end a review
            log.exception("bandit failed on %s", path)
            return []
        items = [issue.as_dict(with_code=False) for issue in visitor.tester.results]
    lines = text.splitlines()
    return [bandit_finding(item, path, lines) for item in items]
