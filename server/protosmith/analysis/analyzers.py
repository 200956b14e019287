"""Analyzers protosmith installs for other languages: where they live and how they get there.

JavaScript and TypeScript are reviewed with eslint, its security plugin and the TypeScript
parser, at the versions pinned in the shipped ``js_analyzer/package-lock.json``. They are
installed once, from the npm registry, by ``protosmith tools install`` (``make install`` runs
it), never during a review: a review must not reach the network. The install lives beside the
Python environment (``<prefix>/share/protosmith/tools``) unless ``PROTOSMITH_TOOLS_DIR`` says
otherwise, and a stamp of the shipped files' hash tells when it is out of date.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "js_analyzer"
SHIPPED_FILES = ("package.json", "package-lock.json", "eslint.config.mjs")
STAMP = ".protosmith-stamp"
INSTALL_TIMEOUT_S = 600
INSTALL_HINT = "run `protosmith tools install` (it needs node and npm)"


class AnalyzerInstallError(RuntimeError):
    """npm is missing or ``npm ci`` failed; the message says which and what it printed."""


@dataclass(frozen=True)
class JsAnalyzer:
    """An installed eslint and the config protosmith runs it with."""

    eslint: Path
    config: Path


def tools_dir() -> Path:
    """Where protosmith's analyzers are installed."""
    configured = os.environ.get("PROTOSMITH_TOOLS_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(sys.prefix) / "share" / "protosmith" / "tools"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in SHIPPED_FILES:
        digest.update(name.encode())
        digest.update((SHIPPED / name).read_bytes())
    return digest.hexdigest()[:16]


def js_install_dir() -> Path:
    """The folder of the JavaScript analyzer install."""
    return tools_dir() / "js-analyzer"


def find_js_analyzer() -> JsAnalyzer | None:
    """The installed JavaScript analyzer, or None when missing, stale or without node."""
    folder = js_install_dir()
    eslint = folder / "node_modules" / ".bin" / "eslint"
    stamp = folder / STAMP
    if not eslint.is_file() or shutil.which("node") is None:
        return None
    try:
        if stamp.read_text(encoding="utf-8").strip() != _fingerprint():
            return None
    except OSError:
        return None
    return JsAnalyzer(eslint=eslint, config=folder / "eslint.config.mjs")


def js_analyzer_status() -> str:
    """One line for ``doctor``: installed where, or why not and how to fix it."""
    found = find_js_analyzer()
    if found is not None:
        return f"eslint + eslint-plugin-security in {js_install_dir()}"
    if shutil.which("npm") is None:
        return "not installed, so LLM review only: install node and npm, then `protosmith tools install`"
    return f"not installed, so LLM review only: {INSTALL_HINT}"


def install_js_analyzer(*, force: bool = False) -> Path:
    """Install (or refresh) the JavaScript analyzer with ``npm ci``; return its folder.

    Nothing is done when the install is current, unless ``force``. Files are staged in a
    temporary sibling folder and swapped in at the end, so a failed install leaves the
    previous one working.
    """
    folder = js_install_dir()
    if find_js_analyzer() is not None and not force:
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise AnalyzerInstallError("npm is not on PATH: install node and npm, then run it again")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(folder.name + ".installing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in SHIPPED_FILES:
        shutil.copyfile(SHIPPED / name, staging / name)
    command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    try:
        done = subprocess.run(
            command,
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise AnalyzerInstallError(f"npm ci could not run: {error}") from error
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = (done.stderr or done.stdout).strip()[-1500:]
        raise AnalyzerInstallError(f"npm ci failed (exit {done.returncode}): {tail}")
    (staging / STAMP).write_text(_fingerprint() + "\n", encoding="utf-8")
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)
    return folder
