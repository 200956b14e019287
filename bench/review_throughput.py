"""Review throughput: ``protosmith review --no-llm`` against bandit alone on the same tree.

The tree is a copy of a slice of this environment's site-packages (real third-party Python,
a few thousand files at full size). Both tools run as subprocesses in the same run, on the
same copy, one after the other; files/s counts the ``.py`` files in the tree over wall time.
Peak memory is the largest resident set among each tool's process tree (measured by a small
wrapper process through ``getrusage(RUSAGE_CHILDREN)``). protosmith runs ruff, bandit and its
own rules, so "bandit alone" is the floor it is compared with.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from bench.common import record

PACKAGES = (
    "pydantic",
    "jinja2",
    "pygls",
    "lsprotocol",
    "openai",
    "rich",
    "hypothesis",
    "jsonschema",
    "mypy",
    "pip",
    "setuptools",
    "_pytest",
    "pygments",
    "attrs",
    "cattrs",
    "markdown_it",
)
WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
    "seconds = time.perf_counter() - started\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime\n"
    "print(json.dumps({'rc': done.returncode, 'seconds': seconds, 'peak_kib': peak, 'cpu_s': cpu,"
    " 'out_bytes': len(done.stdout), 'err': done.stderr.decode(errors='replace')[-500:]}))\n"
)


def build_tree(target: Path, limit: int) -> int:
    """Copy up to ``limit`` ``.py`` files from site-packages into ``target``; return the count."""
    site = Path(sysconfig.get_paths()["purelib"])
    copied = 0
    for package in PACKAGES:
        source = site / package
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*.py")):
            if copied >= limit:
                return copied
            if "__pycache__" in path.parts:
                continue
            destination = target / path.relative_to(site)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            copied += 1
    return copied


def _timed(command: list[str], cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"wrapper failed: {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _bandit() -> list[str]:
    executable = Path(sys.executable).parent / "bandit"
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "bandit"]


def measure(files: int) -> dict[str, Any]:
    """Build the tree, run both tools on it, return the raw measurements."""
    with tempfile.TemporaryDirectory(prefix="protosmith-review-bench-") as folder:
        tree = Path(folder) / "tree"
        count = build_tree(tree, files)
        ours = _timed(
            [
                sys.executable,
                "-m",
                "protosmith",
                "review",
                "tree",
                "--no-llm",
                "--format",
                "json",
                "--fail-on",
                "none",
            ],
            Path(folder),
        )
        bandit = _timed([*_bandit(), "-r", "tree", "-f", "json", "-q"], Path(folder))
    if ours["rc"] != 0:
        raise RuntimeError(f"protosmith review failed: {ours['err']}")
    if bandit["rc"] not in (0, 1):
        raise RuntimeError(f"bandit failed: {bandit['err']}")
    return {
        "files": count,
        "ours_s": round(ours["seconds"], 3),
        "bandit_s": round(bandit["seconds"], 3),
        "ours_files_per_s": round(count / ours["seconds"], 2),
        "bandit_files_per_s": round(count / bandit["seconds"], 2),
        "ours_cpu_s": round(ours["cpu_s"], 2),
        "bandit_cpu_s": round(bandit["cpu_s"], 2),
        # CPU time is what a loaded or shared machine distorts least (wall time counts waiting)
        "files_per_cpu_s_vs_bandit": round(bandit["cpu_s"] / ours["cpu_s"], 3),
        "ours_peak_mib": round(ours["peak_kib"] / 1024, 1),
        "bandit_peak_mib": round(bandit["peak_kib"] / 1024, 1),
    }


def run(*, files: int = 1500) -> None:
    """Record ``review.files_per_s_vs_bandit`` and ``review.peak_memory_mib``."""
    result = measure(files)
    record(
        "review.files_per_s_vs_bandit",
        result["ours_files_per_s"] / result["bandit_files_per_s"],
        "ratio (higher is better)",
        f"bandit alone on the same {result['files']} files: {result['bandit_files_per_s']} "
        f"files/s (ours {result['ours_files_per_s']})",
        result,
    )
    record(
        "review.peak_memory_mib",
        result["ours_peak_mib"],
        "MiB (peak RSS of the review's process tree)",
        f"bandit alone: {result['bandit_peak_mib']} MiB",
        result,
    )
    print(
        f"review: {result['ours_files_per_s']} files/s vs bandit {result['bandit_files_per_s']} "
        f"on {result['files']} files; peak {result['ours_peak_mib']} MiB vs {result['bandit_peak_mib']} MiB"
    )
