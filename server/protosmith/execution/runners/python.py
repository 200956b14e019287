"""Python: pytest with --junitxml, in a per-prototype virtual environment.

The venv (no system site-packages) is cached under ~/.cache/protosmith/venvs, keyed by the
interpreter and the prototype's declared dependencies, and reused while they do not change.
Dependencies (requirements*.txt, pyproject's [project] dependencies) are pip-installed in the
install phase with pip's cache reused. pytest itself comes from protosmith's own environment
when it has one, exposed through a .pth file that adds *only* pytest and its requirements (so
the prototype cannot import protosmith's other packages by accident); otherwise it is
pip-installed into the venv, which needs the network once.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from protosmith.execution.api import TestCase
from protosmith.execution.parse import parse_junit_xml
from protosmith.execution.runners.base import REPORT_STEM, RunContext, Runner, Step
from protosmith.execution.sandbox import Limits, SandboxResult

VENV_TIMEOUT_S = 120.0


def _declared_requirements(root: Path, select: list[str] | None = None) -> list[str]:
    lines: list[str] = []
    folders = [root] + [root / item for item in select or [] if (root / item).is_dir()]
    files = sorted({path for folder in folders for path in folder.glob("requirements*.txt")})
    for path in files:
        for line in path.read_text(errors="replace").splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                lines.append(line)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(errors="replace"))
        except tomllib.TOMLDecodeError:
            data = {}
        project = data.get("project", {})
        lines += [str(dep) for dep in project.get("dependencies", [])]
        for extra in ("test", "tests", "dev"):
            lines += [str(dep) for dep in project.get("optional-dependencies", {}).get(extra, [])]
    return lines


def _closure(name: str) -> list[metadata.Distribution]:
    """A distribution and everything it requires here (markers evaluated, extras off)."""
    from packaging.requirements import InvalidRequirement, Requirement

    seen: dict[str, metadata.Distribution] = {}
    stack = [name]
    while stack:
        current = stack.pop().lower().replace("_", "-")
        if current in seen:
            continue
        try:
            dist = metadata.distribution(current)
        except metadata.PackageNotFoundError:
            continue
        seen[current] = dist
        for raw in dist.requires or []:
            try:
                req = Requirement(raw)
            except InvalidRequirement:
                continue
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                stack.append(req.name)
    return list(seen.values())


def pytest_shim() -> Path | None:
    """A folder of symlinks to this environment's pytest and its requirements, or None."""
    try:
        version = metadata.version("pytest")
    except metadata.PackageNotFoundError:
        return None
    from protosmith.execution.runners.base import cache_root

    tag = hashlib.sha256(f"{sys.prefix}|{version}".encode()).hexdigest()[:12]
    shim = cache_root() / "pytest-shim" / tag
    if (shim / ".complete").exists():
        return shim
    shim.mkdir(parents=True, exist_ok=True)
    for dist in _closure("pytest"):
        for file in dist.files or []:
            top = file.parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            source = Path(str(dist.locate_file(top)))
            target = shim / top
            if source.exists() and not target.exists():
                target.symlink_to(source)
    (shim / ".complete").write_text(version)
    return shim


class PythonRunner(Runner):
    language = "python"
    limits = Limits(address_space_mb=4096, nproc=256)
    no_tests_exit_codes = (5,)

    def _venv(self, ctx: RunContext) -> Path:
        requirements = "\n".join(sorted(_declared_requirements(ctx.root, ctx.select)))
        key = hashlib.sha256(f"{sys.version}|{sys.base_prefix}|{requirements}".encode())
        return ctx.cache / "venvs" / key.hexdigest()[:16]

    def env(self, ctx: RunContext) -> dict[str, str]:
        paths = [str(ctx.root)] + ([str(ctx.root / "src")] if (ctx.root / "src").is_dir() else [])
        return {
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": ":".join(paths),
            "PIP_CACHE_DIR": str(ctx.cache / "pip"),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "VIRTUAL_ENV": str(self._venv(ctx)),
        }

    async def prepare(self, ctx: RunContext) -> list[Step]:
        venv = self._venv(ctx)
        requirements = _declared_requirements(ctx.root, ctx.select)
        shim = pytest_shim()
        ready = venv / ".protosmith-ready"
        if ready.exists():
            return []
        if not (venv / "bin" / "python").exists():
            args = [sys.executable, "-m", "venv", "--clear"]
            if not requirements and shim is not None:
                args.append("--without-pip")
            proc = await asyncio.create_subprocess_exec(
                *args,
                str(venv),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(proc.communicate(), VENV_TIMEOUT_S)
            if proc.returncode != 0:
                raise RuntimeError(f"could not create a venv: {err.decode(errors='replace')}")
        if shim is not None:
            site = next((venv / "lib").glob("python3*/site-packages"))
            (site / "protosmith-pytest.pth").write_text(f"{shim}\n")
        python = str(venv / "bin" / "python")
        packages = requirements + ([] if shim is not None else ["pytest"])
        writable = [venv, ctx.cache / "pip"]
        (ctx.cache / "pip").mkdir(exist_ok=True)
        if not packages:
            ready.write_text("ok")
            return []
        return [Step([python, "-m", "pip", "install", "-q", *packages], writable=writable)]

    async def installed(self, ctx: RunContext) -> None:
        (self._venv(ctx) / ".protosmith-ready").write_text("ok")

    def command(self, ctx: RunContext, argv: list[str]) -> list[str]:
        if argv and argv[0] in ("python", "python3"):
            return [str(self._venv(ctx) / "bin" / "python"), *argv[1:]]
        return argv

    def test_step(self, ctx: RunContext) -> Step:
        python = str(self._venv(ctx) / "bin" / "python")
        report = ctx.root / f"{REPORT_STEM}.xml"
        return Step(
            [
                python,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-o",
                "junit_family=xunit1",
                f"--junitxml={report}",
                "-q",
                "-rfE",
                *ctx.select,
            ]
        )

    def parse(self, ctx: RunContext, result: SandboxResult) -> tuple[list[TestCase], str]:
        report = ctx.root / f"{REPORT_STEM}.xml"
        cases = (
            parse_junit_xml(report.read_text(errors="replace"), ctx.root, flavor="python")
            if report.is_file()
            else []
        )
        build_error = ""
        if result.returncode in (2, 3, 4):
            errors = [case.message for case in cases if case.outcome == "error"]
            detail = errors[0] if errors else result.stdout.strip()[-3000:]
            build_error = (
                f"pytest could not collect the tests (exit status {result.returncode}):\n{detail}"
            )
        return cases, build_error
