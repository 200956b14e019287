"""Rust: ``cargo fetch`` (network) then ``cargo test --offline`` parsed from libtest's output.

CARGO_HOME and RUSTUP_HOME point at the user's real ones (rustup's cargo proxy needs them,
and the registry cache is reused); CARGO_HOME is writable only during the fetch. The target
folder stays inside the copy, so builds never touch the user's tree.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from protosmith.execution.api import TestCase
from protosmith.execution.parse import parse_libtest
from protosmith.execution.runners.base import RunContext, Runner, Step
from protosmith.execution.sandbox import Limits, SandboxResult

_COMPILE_ERROR = re.compile(r"^error(\[E\d+\])?: ", re.MULTILINE)


class RustRunner(Runner):
    language = "rust"
    limits = Limits(address_space_mb=None, data_mb=8192, nproc=512)

    def _homes(self) -> tuple[Path, Path]:
        cargo = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
        rustup = Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup")
        return cargo, rustup

    def env(self, ctx: RunContext) -> dict[str, str]:
        cargo, rustup = self._homes()
        env = {
            "CARGO_HOME": str(cargo),
            "CARGO_TERM_COLOR": "never",
            "CARGO_TARGET_DIR": str(ctx.root / "target"),
            "RUST_BACKTRACE": "0",
        }
        if rustup.is_dir():
            env["RUSTUP_HOME"] = str(rustup)
            toolchain = os.environ.get("RUSTUP_TOOLCHAIN")
            if toolchain:
                env["RUSTUP_TOOLCHAIN"] = toolchain
        return env

    async def prepare(self, ctx: RunContext) -> list[Step]:
        cargo_home, _ = self._homes()
        cargo = shutil.which("cargo", path=ctx.path_env) or "cargo"
        return [Step([cargo, "fetch"], writable=[cargo_home])]

    def test_step(self, ctx: RunContext) -> Step:
        cargo = shutil.which("cargo", path=ctx.path_env) or "cargo"
        return Step([cargo, "test", "--offline", "--no-fail-fast", "--color", "never"])

    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        cases = parse_libtest(result.stdout, ctx.root)
        build_error = ""
        if _COMPILE_ERROR.search(result.stderr) and "could not compile" in result.stderr:
            build_error = "cargo could not compile the crate:\n" + result.stderr.strip()[-6000:]
        return cases, build_error
