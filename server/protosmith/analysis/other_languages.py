"""JavaScript, TypeScript, Go and Rust: use an installed analyzer (eslint, gosec, clippy) or say there is none."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from protosmith.analysis import rules
from protosmith.analysis.findings import Category, Evidence, Finding, Position, Range, Severity

log = logging.getLogger(__name__)

EXTENSIONS = {
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".rs": "rust",
}
ANALYZERS = {"javascript": "eslint", "typescript": "eslint", "go": "gosec", "rust": "cargo"}


def _point(line: int, col: int) -> Position:
    return Position(line=max(line - 1, 0), character=max(col - 1, 0))


def _eslint(files: Sequence[Path], root: Path) -> list[Finding]:
    done = subprocess.run(
        ["eslint", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
        check=False,
    )
    findings = []
    for report in json.loads(done.stdout or "[]"):
        path = Path(report["filePath"]).resolve().relative_to(root.resolve()).as_posix()
        for message in report.get("messages", []):
            start = _point(message.get("line", 1), message.get("column", 1))
            end = _point(
                message.get("endLine", message.get("line", 1)),
                message.get("endColumn", message.get("column", 1)),
            )
            findings.append(
                Finding(
                    code=rules.BUGBEAR,
                    category=Category.QUALITY,
                    severity=Severity.MAJOR if message.get("severity") == 2 else Severity.MINOR,
                    message=f"{message.get('message', '')} ({message.get('ruleId') or 'eslint'})",
                    path=path,
                    range=Range(start=start, end=end),
                    evidence=Evidence(source="eslint", rule_id=message.get("ruleId")),
                )
            )
    return findings


def _gosec(root: Path) -> list[Finding]:
    done = subprocess.run(
        ["gosec", "-fmt=json", "-quiet", "./..."],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=600,
        check=False,
    )
    findings = []
    for issue in json.loads(done.stdout or "{}").get("Issues") or []:
        line = int(str(issue.get("line", "1")).split("-")[0])
        path = Path(issue["file"]).resolve().relative_to(root.resolve()).as_posix()
        cwe = int(issue.get("cwe", {}).get("id") or 0) or None
        findings.append(
            Finding(
                code=rules.OTHER_SECURITY,
                category=Category.SECURITY,
                severity={"HIGH": Severity.MAJOR, "MEDIUM": Severity.MINOR}.get(
                    issue.get("severity", ""), Severity.INFO
                ),
                message=f"{issue.get('details', '')} (gosec {issue.get('rule_id', '')})",
                path=path,
                range=Range(
                    start=_point(line, int(issue.get("column", 1))),
                    end=_point(line, int(issue.get("column", 1)) + 1),
                ),
                evidence=Evidence(source="gosec", rule_id=issue.get("rule_id")),
                cwe=cwe,
            )
        )
    return findings


def _clippy(root: Path) -> list[Finding]:
    done = subprocess.run(
        ["cargo", "clippy", "--message-format=json", "--quiet"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=600,
        check=False,
    )
    findings = []
    for raw in done.stdout.splitlines():
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue
        message = record.get("message") if record.get("reason") == "compiler-message" else None
        if not message or not message.get("spans"):
            continue
        span = next((s for s in message["spans"] if s.get("is_primary")), message["spans"][0])
        code = (message.get("code") or {}).get("code") or "clippy"
        findings.append(
            Finding(
                code=rules.BUGBEAR,
                category=Category.QUALITY,
                severity=Severity.MAJOR if message.get("level") == "error" else Severity.MINOR,
                message=f"{message.get('message', '')} ({code})",
                path=span["file_name"],
                range=Range(
                    start=_point(span["line_start"], span["column_start"]),
                    end=_point(span["line_end"], span["column_end"]),
                ),
                evidence=Evidence(source="clippy", rule_id=code),
            )
        )
    return findings


def review_other(files: dict[str, list[Path]], root: Path) -> tuple[list[Finding], list[str]]:
    """Findings from whichever analyzers are installed, and a note per language that has none."""
    findings: list[Finding] = []
    notes: list[str] = []
    for language in sorted(files):
        tool = ANALYZERS[language]
        if shutil.which(tool) is None or (
            language == "rust" and not (root / "Cargo.toml").is_file()
        ):
            notes.append(
                f"{language}: LLM review only (no analyzer installed: {'cargo clippy' if tool == 'cargo' else tool})"
            )
            continue
        try:
            if tool == "eslint":
                findings += _eslint(files[language], root)
            elif tool == "gosec":
                findings += _gosec(root)
            else:
                findings += _clippy(root)
        except (
            OSError,
            subprocess.TimeoutExpired,
            json.JSONDecodeError,
            KeyError,
            ValueError,
        ) as error:
            log.warning("%s failed", tool, exc_info=True)
            notes.append(f"{language}: {tool} failed ({error}); LLM review only")
    return findings, notes
