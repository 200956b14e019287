"""JavaScript, TypeScript, Go and Rust: run a real analyzer where one is installed, else say so.

- JavaScript/TypeScript: eslint with eslint-plugin-security and the TypeScript parser, installed
  by ``protosmith tools install`` (``analyzers.py``) and run with protosmith's own config.
- Go: gosec when it is on PATH, else ``go vet`` (part of every Go toolchain), per module.
- Rust: ``cargo clippy`` per crate, offline, on a copy of the crate (cargo writes Cargo.lock) that
  builds into a cache folder: a review never writes into the workspace.

Security rules map to PS391 with their CWE, everything else to PS208. A language with no
analyzer gets a note ("LLM review only") naming what to install, never silence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from protosmith import languages
from protosmith.analysis import rules
from protosmith.analysis.analyzers import INSTALL_HINT, find_js_analyzer, tools_dir
from protosmith.analysis.findings import (
    Category,
    Evidence,
    Finding,
    Position,
    Range,
    Severity,
    relative_path,
)

log = logging.getLogger(__name__)

EXTENSIONS = {ext: p.name for p in languages.PROFILES if p.analyzer for ext in p.extensions}
"""Source suffixes of the languages reviewed here (those with an external analyzer)."""
ESLINT_SECURITY = {
    "no-eval": (95, Severity.MAJOR),
    "no-implied-eval": (95, Severity.MAJOR),
    "no-new-func": (95, Severity.MAJOR),
    "no-script-url": (79, Severity.MINOR),
    "security/detect-eval-with-expression": (95, Severity.MAJOR),
    "security/detect-child-process": (78, Severity.MAJOR),
    "security/detect-non-literal-fs-filename": (22, Severity.MINOR),
    "security/detect-non-literal-require": (829, Severity.MINOR),
    "security/detect-non-literal-regexp": (1333, Severity.MINOR),
    "security/detect-unsafe-regex": (1333, Severity.MINOR),
    "security/detect-possible-timing-attacks": (208, Severity.MINOR),
    "security/detect-pseudoRandomBytes": (338, Severity.MINOR),
    "security/detect-no-csrf-before-method-override": (352, Severity.MAJOR),
    "security/detect-disable-mustache-escape": (79, Severity.MAJOR),
    "security/detect-buffer-noassert": (125, Severity.MINOR),
    "security/detect-new-buffer": (1188, Severity.MINOR),
    "security/detect-bidi-characters": (451, Severity.MAJOR),
}
GO_VET_LINE = re.compile(
    r"^(?:vet: )?(?P<file>[^:\s][^:]*\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$"
)
TIMEOUT_S = 600


def _run(
    command: list[str], cwd: Path, *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """An analyzer's run: output captured as text, bounded by ``TIMEOUT_S``, exit code kept."""
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, timeout=TIMEOUT_S, check=False, env=env
    )


def _point(line: int, col: int) -> Position:
    return Position(line=max(line - 1, 0), character=max(col - 1, 0))


def _finding(
    *,
    security: bool,
    severity: Severity,
    message: str,
    path: str,
    span: tuple[int, int, int, int],
    tool: str,
    rule_id: str,
    cwe: int | None = None,
) -> Finding:
    line, col, end_line, end_col = span
    return Finding(
        code=rules.OTHER_LANGUAGE_SECURITY if security else rules.OTHER_LANGUAGE_BUG,
        category=Category.SECURITY if security else Category.QUALITY,
        severity=severity,
        message=f"{message} ({tool} {rule_id})",
        path=path,
        range=Range(start=_point(line, col), end=_point(end_line, max(end_col, col + 1))),
        evidence=Evidence(source=tool, rule_id=rule_id),
        cwe=cwe,
    )


def _eslint(files: Sequence[Path], root: Path) -> list[Finding]:
    analyzer = find_js_analyzer()
    assert analyzer is not None
    done = _run(
        [
            str(analyzer.eslint),
            "--config",
            str(analyzer.config),
            "--format",
            "json",
            "--no-warn-ignored",
            *map(str, files),
        ],
        root,
    )
    if done.returncode not in (0, 1):  # 2: eslint itself failed
        raise ValueError(done.stderr.strip()[-500:] or f"eslint exited {done.returncode}")
    findings: dict[tuple[str, int, str], Finding] = {}
    for report in json.loads(done.stdout or "[]"):
        path = relative_path(Path(report["filePath"]), root)
        for message in report.get("messages", []):
            rule_id = message.get("ruleId") or "parse-error"
            cwe, severity = ESLINT_SECURITY.get(rule_id, (None, None))
            if severity is None:
                severity = Severity.MAJOR if message.get("severity") == 2 else Severity.MINOR
            line, col = message.get("line", 1), message.get("column", 1)
            finding = _finding(
                security=cwe is not None,
                severity=severity,
                message=message.get("message", ""),
                path=path,
                span=(line, col, message.get("endLine", line), message.get("endColumn", col)),
                tool="eslint",
                rule_id=rule_id,
                cwe=cwe,
            )
            # no-eval and the plugin's eval rule report the same call: keep one per line and CWE.
            findings.setdefault((path, line, f"CWE-{cwe}" if cwe else rule_id), finding)
    return list(findings.values())


def _project_roots(files: Sequence[Path], root: Path, marker: str) -> list[Path]:
    """The nearest folder at or above each file (within ``root``) that holds ``marker``."""
    found: dict[Path, None] = {}
    top = root.resolve()
    for file in files:
        folder = file.resolve().parent
        while True:
            if (folder / marker).is_file():
                found[folder] = None
                break
            if folder == top or top not in folder.parents:
                break
            folder = folder.parent
    return list(found)


def _gosec(module: Path, root: Path) -> list[Finding]:
    done = _run(["gosec", "-fmt=json", "-quiet", "./..."], module, env=_go_env())
    findings = []
    for issue in json.loads(done.stdout or "{}").get("Issues") or []:
        line = int(str(issue.get("line", "1")).split("-")[0])
        column = int(issue.get("column", 1))
        findings.append(
            _finding(
                security=True,
                severity={"HIGH": Severity.MAJOR, "MEDIUM": Severity.MINOR}.get(
                    issue.get("severity", ""), Severity.INFO
                ),
                message=issue.get("details", ""),
                path=relative_path(module / issue["file"], root),
                span=(line, column, line, column + 1),
                tool="gosec",
                rule_id=str(issue.get("rule_id", "")),
                cwe=int(issue.get("cwe", {}).get("id") or 0) or None,
            )
        )
    return findings


def _go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOFLAGS="-mod=readonly", GOPROXY="off", GOTOOLCHAIN="local", GOWORK="off")
    return env


def _go_vet(module: Path, root: Path) -> list[Finding]:
    done = _run(["go", "vet", "./..."], module, env=_go_env())
    findings = []
    for raw in (done.stderr + done.stdout).splitlines():
        match = GO_VET_LINE.match(raw.strip())
        if match is None:
            continue
        line, col = int(match["line"]), int(match["col"])
        file = Path(match["file"])
        findings.append(
            _finding(
                security=False,
                severity=Severity.MAJOR,
                message=match["msg"],
                path=relative_path(file if file.is_absolute() else module / file, root),
                span=(line, col, line, col + 1),
                tool="go vet",
                rule_id="vet",
            )
        )
    return findings


def _clippy(crate: Path, root: Path) -> list[Finding]:
    """clippy on a copy of the crate: cargo writes Cargo.lock, and a review writes nothing."""
    target = tools_dir() / "cargo-target" / hashlib.sha256(str(crate).encode()).hexdigest()[:16]
    with tempfile.TemporaryDirectory(prefix="protosmith-clippy-") as temporary:
        copy = Path(temporary) / crate.name
        shutil.copytree(crate, copy, ignore=shutil.ignore_patterns("target", ".git"), symlinks=True)
        done = _run(
            [
                "cargo",
                "clippy",
                "--offline",
                "--quiet",
                "--message-format=json",
                "--target-dir",
                str(target),
            ],
            copy,
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
        if Path(span["file_name"]).is_absolute():  # a dependency's source, not the crate's
            continue
        code = (message.get("code") or {}).get("code") or "clippy"
        findings.append(
            _finding(
                security=False,
                severity=Severity.MAJOR if message.get("level") == "error" else Severity.MINOR,
                message=message.get("message", ""),
                path=relative_path(crate / span["file_name"], root),
                span=(
                    span["line_start"],
                    span["column_start"],
                    span["line_end"],
                    span["column_end"],
                ),
                tool="clippy",
                rule_id=code,
            )
        )
    return findings


def _go_analyzer() -> str | None:
    return "gosec" if shutil.which("gosec") else "go vet" if shutil.which("go") else None


def _rust_analyzer() -> str | None:
    if shutil.which("cargo") is None:
        return None
    try:
        done = subprocess.run(
            ["cargo", "clippy", "--version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return "cargo clippy" if done.returncode == 0 else None


def analyzer_status() -> dict[str, str]:
    """For ``doctor``: the Go and Rust analyzers that would run, or what to install."""
    go, rust = _go_analyzer(), _rust_analyzer()
    return {
        "go": go or "none: LLM review only (install Go, or gosec for security rules)",
        "rust": rust or "none: LLM review only (rustup component add clippy)",
    }


def _run_language(language: str, files: list[Path], root: Path) -> tuple[list[Finding], str]:
    """Findings for one language and the analyzer that produced them ('' when none could run)."""
    if language in ("javascript", "typescript"):
        if find_js_analyzer() is None:
            return [], ""
        return _eslint(files, root), "eslint"
    if language == "go":
        tool = _go_analyzer()
        modules = _project_roots(files, root, "go.mod")
        if tool is None or not modules:
            return [], ""
        run = _gosec if tool == "gosec" else _go_vet
        return [f for module in modules for f in run(module, root)], tool
    tool = _rust_analyzer()
    crates = _project_roots(files, root, "Cargo.toml")
    if tool is None or not crates:
        return [], ""
    return [f for crate in crates for f in _clippy(crate, root)], tool


def _missing(language: str) -> str:
    if language in ("javascript", "typescript"):
        return f"eslint is not installed: {INSTALL_HINT}"
    if language == "go":
        return "needs Go and a go.mod" if _go_analyzer() else "install Go (or gosec)"
    return "needs cargo clippy and a Cargo.toml"


def review_other(files: dict[str, list[Path]], root: Path) -> tuple[list[Finding], list[str]]:
    """Findings from whichever analyzers are installed, and a note per language that has none."""
    findings: list[Finding] = []
    notes: list[str] = []
    languages = dict(files)
    if "typescript" in languages and "javascript" in languages:  # one eslint run for both
        languages["javascript"] = languages["javascript"] + languages.pop("typescript")
    for language in sorted(languages):
        try:
            found, tool = _run_language(language, languages[language], root)
        except (
            OSError,
            subprocess.TimeoutExpired,
            json.JSONDecodeError,
            KeyError,
            ValueError,
        ) as error:
            log.warning("the %s analyzer failed", language, exc_info=True)
            notes.append(f"{language}: analyzer failed ({error}); LLM review only")
            continue
        if not tool:
            notes.append(f"{language}: LLM review only ({_missing(language)})")
            continue
        findings += found
    return findings, notes
