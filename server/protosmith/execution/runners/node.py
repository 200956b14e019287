"""JavaScript and TypeScript: node's built-in test runner (junit reporter), or jest when declared.

Install phase: ``npm ci`` with a lockfile, ``npm install`` without, only when package.json
declares dependencies; npm's cache (~/.npm) is reused. Test phase: jest when package.json
declares it (``--json`` report), else ``node --test`` with the junit reporter. TypeScript without
jest needs node >= 22.6 (type stripping); older nodes report not_run with the fix.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from protosmith.execution.api import TestCase
from protosmith.execution.parse import MESSAGE_CHARS, Outcome, parse_junit_xml, relative
from protosmith.execution.runners.base import REPORT_STEM, RunContext, Runner, Step
from protosmith.execution.sandbox import Limits, SandboxResult
from protosmith.execution.toolchains import detect

_JEST_LOCATION = re.compile(r"\((/[^\s()]+\.[cm]?[jt]sx?):(\d+):\d+\)")


def _package(root: Path) -> dict:
    try:
        data = json.loads((root / "package.json").read_text(errors="replace"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _deps(root: Path) -> dict[str, str]:
    package = _package(root)
    deps: dict[str, str] = {}
    for key in ("dependencies", "devDependencies"):
        value = package.get(key)
        if isinstance(value, dict):
            deps.update({str(k): str(v) for k, v in value.items()})
    return deps


def _node_major(ctx: RunContext) -> tuple[int, int]:
    for tool in detect([ctx.language], path_env=ctx.path_env):
        if tool.tool == "node" and tool.version:
            match = re.match(r"v?(\d+)\.(\d+)", tool.version)
            if match:
                return int(match.group(1)), int(match.group(2))
    return 0, 0


def parse_jest_json(text: str, root: Path) -> list[TestCase]:
    """jest --json --testLocationInResults output."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    cases: list[TestCase] = []
    for suite in data.get("testResults", []):
        file = relative(suite.get("name", ""), root) or None
        if not suite.get("assertionResults") and suite.get("message"):
            cases.append(
                TestCase(
                    name=file or "suite",
                    outcome="error",
                    file=file,
                    message=suite["message"][:MESSAGE_CHARS],
                )
            )
        for test in suite.get("assertionResults", []):
            status = test.get("status")
            outcome: Outcome = (
                "passed" if status == "passed" else "failed" if status == "failed" else "skipped"
            )
            message = "\n".join(test.get("failureMessages") or [])[:MESSAGE_CHARS]
            line = (test.get("location") or {}).get("line")
            match = _JEST_LOCATION.search(message)
            if match and relative(match.group(1), root) == file:
                line = int(match.group(2))
            cases.append(
                TestCase(
                    name=test.get("fullName") or test.get("title", "?"),
                    outcome=outcome,
                    file=file,
                    line=line,
                    message=message if outcome == "failed" else "",
                )
            )
    return cases


class NodeRunner(Runner):
    limits = Limits(address_space_mb=None, data_mb=4096, nproc=256)

    def __init__(self, language: str = "javascript") -> None:
        self.language = language

    def _uses_jest(self, ctx: RunContext) -> bool:
        return "jest" in _deps(ctx.root)

    def env(self, ctx: RunContext) -> dict[str, str]:
        return {
            "npm_config_cache": str(Path.home() / ".npm"),
            "npm_config_update_notifier": "false",
            "npm_config_fund": "false",
            "npm_config_audit": "false",
            "NODE_ENV": "test",
        }

    def unavailable(self, ctx: RunContext) -> str | None:
        if ctx.language != "typescript" or self._uses_jest(ctx):
            return None
        if _node_major(ctx) >= (22, 6):
            return None
        return (
            "TypeScript tests need jest (with ts-jest) declared in package.json, or node >= 22.6 "
            "for built-in type stripping (install: a newer nodejs from https://nodejs.org)"
        )

    async def prepare(self, ctx: RunContext) -> list[Step]:
        if not _deps(ctx.root):
            return []
        npm = shutil.which("npm", path=ctx.path_env) or "npm"
        cache = Path.home() / ".npm"
        cache.mkdir(exist_ok=True)
        verb = ["ci"] if (ctx.root / "package-lock.json").is_file() else ["install"]
        return [Step([npm, *verb, "--no-audit", "--no-fund"], writable=[cache])]

    def test_step(self, ctx: RunContext) -> Step:
        node = shutil.which("node", path=ctx.path_env) or "node"
        if self._uses_jest(ctx):
            jest = str(ctx.root / "node_modules" / "jest" / "bin" / "jest.js")
            return Step(
                [
                    node,
                    jest,
                    "--ci",
                    "--json",
                    "--testLocationInResults",
                    f"--outputFile={ctx.root / REPORT_STEM}.json",
                ]
            )
        flags = ["--experimental-strip-types"] if ctx.language == "typescript" else []
        return Step(
            [
                node,
                *flags,
                "--test",
                "--test-reporter=junit",
                f"--test-reporter-destination={ctx.root / REPORT_STEM}.xml",
                "--test-reporter=spec",
                "--test-reporter-destination=stdout",
            ]
        )

    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        json_report = ctx.root / f"{REPORT_STEM}.json"
        xml_report = ctx.root / f"{REPORT_STEM}.xml"
        if json_report.is_file():
            return parse_jest_json(json_report.read_text(errors="replace"), ctx.root), ""
        if xml_report.is_file():
            cases = parse_junit_xml(xml_report.read_text(errors="replace"), ctx.root, flavor="node")
            return cases, ""
        return [], ""
