"""C#: ``dotnet restore`` (network) then ``dotnet test --no-restore`` with a TRX logger.

NuGet packages are cached in ~/.nuget/packages (writable only during restore); telemetry and
first-run banners are off. Where the SDK is absent the service reports not_run with the hint.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from protosmith.execution.api import TestCase
from protosmith.execution.parse import parse_trx
from protosmith.execution.runners.base import REPORT_STEM, RunContext, Runner, Step
from protosmith.execution.sandbox import Limits, SandboxResult


def _nuget() -> Path:
    return Path(os.environ.get("NUGET_PACKAGES") or Path.home() / ".nuget" / "packages")


class DotnetRunner(Runner):
    language = "csharp"
    limits = Limits(address_space_mb=None, data_mb=8192, nproc=1024, cpu_s=600)

    def env(self, ctx: RunContext) -> dict[str, str]:
        return {
            "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
            "DOTNET_NOLOGO": "1",
            "DOTNET_SKIP_FIRST_TIME_EXPERIENCE": "1",
            "NUGET_PACKAGES": str(_nuget()),
        }

    async def prepare(self, ctx: RunContext) -> list[Step]:
        dotnet = shutil.which("dotnet", path=ctx.path_env) or "dotnet"
        _nuget().mkdir(parents=True, exist_ok=True)
        return [Step([dotnet, "restore"], writable=[_nuget()])]

    def test_step(self, ctx: RunContext) -> Step:
        dotnet = shutil.which("dotnet", path=ctx.path_env) or "dotnet"
        return Step(
            [
                dotnet,
                "test",
                "--no-restore",
                "--logger",
                "trx;LogFileName=protosmith.trx",
                "--results-directory",
                str(ctx.root / REPORT_STEM),
            ]
        )

    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        cases: list[TestCase] = []
        for report in sorted((ctx.root / REPORT_STEM).glob("*.trx")):
            cases += parse_trx(report.read_text(errors="replace"), ctx.root)
        output = result.stdout + "\n" + result.stderr
        build_error = ""
        if "error CS" in output or "Build FAILED" in output:
            lines = [line for line in output.splitlines() if "error" in line]
            build_error = "dotnet could not build the project:\n" + "\n".join(lines[:60])
        return cases, build_error
