"""Spec check time: ``protosmith check`` on ~5 MB specs of different shapes, as a subprocess.

Each shape fills 5 MB with ``[[scenarios]]`` (or free tables) and ends with a few problems,
so the whole pipeline runs: parse, validate, index the positions asked for, word the problems.
The figure is the CPU time (user + system) of ``python -m protosmith check``, start-up and imports
included, the best of ``repeats`` runs: on an idle machine that is the wall time a user waits,
and unlike wall time it stays comparable on a busy one (wall times are kept in the params).
Goal: under 2 s.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import record

SIZE = 5_000_000
LATE_PROBLEMS = '\n[[scenarios]]\nname = "late"\nacceptance = ["x"]\npriority = "urgent"\n'
"""Ends every shape: an enum value and, below, a quoted number (two located PS103 lines)."""


def _scenario(number: int) -> str:
    return (
        f'\n[[scenarios]]\nname = "s{number}"\n'
        f'description = "scenario {number}: a user adds a task and lists it"\n'
        'acceptance = ["it works", "it is fast", "the list shows the new task"]\n'
        'priority = "high"\nsteps = ["open", "add", "list"]\n'
    )


def _multiline_scenario(number: int) -> str:
    return (
        f'\n[[scenarios]]\nname = "s{number}"\nacceptance = [\n  "it works",  # first\n'
        '  "it is fast",\n]\nsteps = [\n  "open",\n  "add",\n]\n'
    )


def _free_table(number: int) -> str:
    return f'\n[context.k{number}]\nname = "s{number}"\nv = {{a = 1, b = [1, 2, {{c = "d"}}]}}\n'


SHAPES = {"scenarios": _scenario, "multiline": _multiline_scenario, "free_tables": _free_table}


def make_spec(shape: str, size: int = SIZE) -> str:
    """A spec of about ``size`` characters in ``shape``, with two problems at its end."""
    chunks = ['[project]\nname = "big"\n']
    if shape == "free_tables":
        chunks.append('\n[[scenarios]]\nname = "first"\nacceptance = ["x"]\n')
    total, number = sum(map(len, chunks)), 0
    while total < size:
        chunk = SHAPES[shape](number)
        chunks.append(chunk)
        total += len(chunk)
        number += 1
    chunks.append(LATE_PROBLEMS + '\n[budget]\nmax_minutes = "30"\n')
    return "".join(chunks)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _check_seconds(path: Path) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and problem lines of one ``protosmith check``."""
    cpu = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "protosmith", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 2 or "Traceback" in result.stderr:
        raise RuntimeError(f"check of {path.name} failed unexpectedly: {result.stderr[-500:]}")
    return _children_cpu() - cpu, elapsed, len(result.stdout.splitlines())


def run(size: int = SIZE, repeats: int = 3) -> None:
    """Record ``spec.check_seconds.<shape>`` for each shape."""
    with tempfile.TemporaryDirectory(prefix="protosmith-spec-bench-") as folder:
        for shape in SHAPES:
            path = Path(folder) / f"{shape}.toml"
            path.write_text(make_spec(shape, size), encoding="utf-8")
            runs = [_check_seconds(path) for _ in range(repeats)]
            record(
                f"spec.check_seconds.{shape}",
                min(cpu for cpu, _, _ in runs),
                "s CPU (lower is better; goal < 2)",
                "none: CPU time of `protosmith check` in a subprocess, best of the runs",
                {
                    "bytes": path.stat().st_size,
                    "cpu_s": [round(cpu, 3) for cpu, _, _ in runs],
                    "wall_s": [round(wall, 3) for _, wall, _ in runs],
                    "problems": runs[0][2],
                },
            )
