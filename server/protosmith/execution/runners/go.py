"""Go: ``go test -json ./...`` after ``go mod download``.

The module cache (GOMODCACHE, ~/go/pkg/mod) is shared and written only in the install phase;
the build cache lives under ~/.cache/protosmith/go-build and stays writable (go needs it to
compile). The test phase runs with GOPROXY=off and GOTOOLCHAIN=local, so it cannot fetch.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from protosmith.execution.api import TestCase
from protosmith.execution.parse import parse_go_json
from protosmith.execution.runners.base import RunContext, Runner, Step
from protosmith.execution.sandbox import Limits, SandboxResult


def _gopath() -> Path:
    return Path(os.environ.get("GOPATH") or Path.home() / "go")


class GoRunner(Runner):
    language = "go"
    limits = Limits(address_space_mb=None, data_mb=4096, nproc=512)

    def env(self, ctx: RunContext) -> dict[str, str]:
        gopath = _gopath()
        return {
            "GOPATH": str(gopath),
            "GOMODCACHE": os.environ.get("GOMODCACHE") or str(gopath / "pkg" / "mod"),
            "GOCACHE": str(ctx.cache / "go-build"),
            "GOTOOLCHAIN": "local",
            "GOFLAGS": "-mod=mod",
            "CGO_ENABLED": "0",
        }

    def _writable(self, ctx: RunContext) -> list[Path]:
        build = ctx.cache / "go-build"
        build.mkdir(parents=True, exist_ok=True)
        return [build]

    async def prepare(self, ctx: RunContext) -> list[Step]:
        gomod = ctx.root / "go.mod"
        if not gomod.is_file() or "require" not in gomod.read_text(errors="replace"):
            return []
        modcache = Path(self.env(ctx)["GOMODCACHE"])
        modcache.mkdir(parents=True, exist_ok=True)
        go = shutil.which("go", path=ctx.path_env) or "go"
        return [Step([go, "mod", "download"], writable=[modcache, *self._writable(ctx)])]

    def test_step(self, ctx: RunContext) -> Step:
        go = shutil.which("go", path=ctx.path_env) or "go"
        return Step(
            [go, "test", "-json", "-count=1", "./..."],
            env={"GOPROXY": "off"},
            writable=self._writable(ctx),
        )

    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        cases, broken = parse_go_json(result.stdout.splitlines(), ctx.root)
        build_error = ""
        if broken or (not cases and result.returncode not in (0, None)):
            details = "\n".join(part for part in (result.stderr.strip(), *broken) if part)
            build_error = f"go could not build the tests:\n{details[-6000:]}"
        return cases, build_error
