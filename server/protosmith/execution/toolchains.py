"""Which language toolchains exist for running generated tests, and how to install the missing.

Detection is cheap: ``shutil.which`` plus one ``--version`` call per tool, all in parallel with
short timeouts, cached per (languages, PATH). ``doctor`` shows the list; the runners use it to
report ``not_run`` with the install hint instead of pretending a test passed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from protosmith import languages

VERSION_TIMEOUT_S = 8.0


@dataclass(frozen=True)
class Toolchain:
    """One tool a language's tests need; ``path`` is None when it is missing."""

    language: str
    tool: str
    path: str | None
    version: str | None
    install_hint: str

    @property
    def available(self) -> bool:
        return self.path is not None

    def missing_reason(self) -> str:
        """The not_run reason for a missing tool, with the command that installs it."""
        return f"toolchain missing: {self.tool} not found on PATH (install: {self.install_hint})"


@dataclass(frozen=True)
class _Probe:
    language: str
    tool: str
    executable: str
    version_args: tuple[str, ...]
    install_hint: str


_PROBES: tuple[_Probe, ...] = (
    _Probe("javascript", "node", "node", ("--version",), "apt-get install nodejs npm"),
    _Probe("typescript", "node", "node", ("--version",), "apt-get install nodejs npm"),
    _Probe("go", "go", "go", ("version",), "apt-get install golang-go"),
    _Probe(
        "rust",
        "cargo",
        "cargo",
        ("--version",),
        "apt-get install cargo (or rustup: https://rustup.rs)",
    ),
    _Probe("java", "javac", "javac", ("-version",), "apt-get install default-jdk"),
    _Probe("java", "mvn", "mvn", ("--version",), "apt-get install maven"),
    _Probe(
        "csharp",
        "dotnet",
        "dotnet",
        ("--version",),
        "apt-get install dotnet-sdk-8.0 (https://learn.microsoft.com/dotnet/core/install/linux)",
    ),
)

LANGUAGES: tuple[str, ...] = languages.NAMES
PYTEST_HINT = "pip install pytest (or let protosmith pip-install it into the prototype's venv)"


def _fallback_dirs() -> list[str]:
    """Places toolchain installers put binaries that a login shell would add to PATH."""
    home = Path.home()
    candidates = [
        home / ".cargo" / "bin",
        Path("/usr/local/go/bin"),
        Path("/usr/lib/go/bin"),
        home / ".dotnet",
        Path("/usr/share/dotnet"),
    ]
    return [str(path) for path in candidates if path.is_dir()]


def search_path(path_env: str | None = None) -> str:
    """The PATH used to find tools: the given one verbatim, else ours plus installer folders."""
    if path_env is not None:
        return path_env
    parts = os.environ.get("PATH", os.defpath).split(os.pathsep)
    parts += [extra for extra in _fallback_dirs() if extra not in parts]
    return os.pathsep.join(parts)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        cleaned = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if cleaned:
            return cleaned
    return ""


def _version(executable: str, args: tuple[str, ...], path_env: str) -> str | None:
    env = {**os.environ, "PATH": path_env}
    try:
        done = subprocess.run(
            [executable, *args],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_S,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return _first_line(done.stdout) or _first_line(done.stderr) or None


def _python_toolchain() -> Toolchain:
    python = f"Python {sys.version.split()[0]}"
    try:
        pytest_version: str | None = metadata.version("pytest")
    except metadata.PackageNotFoundError:
        pytest_version = None
    version = f"{python}, pytest {pytest_version}" if pytest_version else f"{python}, no pytest"
    return Toolchain("python", "pytest", sys.executable, version, PYTEST_HINT)


@lru_cache(maxsize=16)
def _detect(languages: tuple[str, ...], path_env: str) -> tuple[Toolchain, ...]:
    probes = [probe for probe in _PROBES if probe.language in languages]
    located = {probe.executable: shutil.which(probe.executable, path=path_env) for probe in probes}
    unique = {path for path in located.values() if path}
    args = {probe.executable: probe.version_args for probe in probes}
    versions: dict[str, str | None] = {}
    if unique:
        with ThreadPoolExecutor(max_workers=len(unique)) as pool:
            futures = {
                path: pool.submit(_version, path, args[Path(path).name], path_env)
                for path in unique
            }
            versions = {path: future.result() for path, future in futures.items()}
    found: list[Toolchain] = []
    if "python" in languages:
        found.append(_python_toolchain())
    for probe in probes:
        path = located[probe.executable]
        found.append(
            Toolchain(
                probe.language,
                probe.tool,
                path,
                versions.get(path) if path else None,
                probe.install_hint,
            )
        )
    return tuple(found)


def detect(languages: list[str] | None = None, *, path_env: str | None = None) -> list[Toolchain]:
    """Toolchains for ``languages`` (default: all known), found on ``path_env`` or our PATH."""
    wanted = tuple(LANGUAGES if languages is None else [lang.lower() for lang in languages])
    return list(_detect(wanted, search_path(path_env)))


def missing(language: str, *, path_env: str | None = None) -> list[Toolchain]:
    """The tools ``language`` needs that are absent; empty when its tests can run."""
    return [tool for tool in detect([language], path_env=path_env) if not tool.available]


def clear_cache() -> None:
    """Forget detected toolchains, e.g. after the user installed one."""
    _detect.cache_clear()
