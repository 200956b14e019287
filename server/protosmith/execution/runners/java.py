"""Java: Maven + JUnit 5, ``mvn dependency:go-offline`` then ``mvn -o test``, surefire XML parsed.

The local repository is the user's ~/.m2/repository when it exists (the cache Maven users
already have), else ~/.cache/protosmith/m2; it is writable only in the install phase. When
Maven Central cannot be reached and the cache lacks an artifact (JUnit, a plugin), the run is
``not_run`` with Maven's own reason: that is a missing dependency, not a test failure.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from protosmith.execution.api import TestCase
from protosmith.execution.parse import parse_junit_xml
from protosmith.execution.runners.base import RunContext, Runner, Step
from protosmith.execution.sandbox import Limits, SandboxResult

_UNRESOLVED = re.compile(
    r"(Cannot access \S+ .*in offline mode.*|Could not resolve dependencies.*|"
    r"Plugin .* could not be resolved.*|Non-resolvable .*|could not be resolved: .*)"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def maven_repository() -> Path:
    """The Maven local repository protosmith uses (see the module docstring)."""
    user = Path.home() / ".m2" / "repository"
    if user.is_dir():
        return user
    from protosmith.execution.runners.base import cache_root

    own = cache_root() / "m2"
    own.mkdir(parents=True, exist_ok=True)
    return own


class JavaRunner(Runner):
    language = "java"
    limits = Limits(address_space_mb=None, data_mb=8192, nproc=1024, cpu_s=600)

    def env(self, ctx: RunContext) -> dict[str, str]:
        return {"MAVEN_OPTS": "-Xmx1g -XX:+UseSerialGC", "MAVEN_SKIP_RC": "1"}

    def _mvn(self, ctx: RunContext) -> list[str]:
        mvn = shutil.which("mvn", path=ctx.path_env) or "mvn"
        return [mvn, "-B", "-q", "-Dstyle.color=never", f"-Dmaven.repo.local={maven_repository()}"]

    async def fallback_install(self, ctx: RunContext) -> list[Step]:
        # Offline first: a warm ~/.m2 needs no resolution, and go-offline costs seconds even then.
        return [Step([*self._mvn(ctx), "dependency:go-offline"], writable=[maven_repository()])]

    def test_step(self, ctx: RunContext) -> Step:
        return Step([*self._mvn(ctx), "-o", "test", "-Dsurefire.printSummary=true"])

    def not_run_reason(self, ctx: RunContext, output: str) -> str | None:
        match = _UNRESOLVED.search(_ANSI.sub("", output))
        if match is None:
            return None
        return (
            "Maven could not resolve the build's dependencies offline (JUnit or a plugin is not "
            f"in {maven_repository()} and Maven Central was unreachable): {match.group(1)[:600]}"
        )

    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        cases: list[TestCase] = []
        for report in sorted(ctx.root.rglob("surefire-reports/TEST-*.xml")):
            cases += parse_junit_xml(report.read_text(errors="replace"), ctx.root, flavor="java")
        output = _ANSI.sub("", result.stdout + "\n" + result.stderr)
        build_error = ""
        if "COMPILATION ERROR" in output or "Compilation failure" in output:
            lines = [line for line in output.splitlines() if line.startswith("[ERROR]")]
            build_error = "javac could not compile the project:\n" + "\n".join(lines[:60])
        return cases, build_error
