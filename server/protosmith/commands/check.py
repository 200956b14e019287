"""``protosmith check [SPEC]``: validate a spec like a compiler, one located line per problem.

Editors and CI call this on every save, so it imports only the spec package (no LLM client,
no tokenizer) and never prints a traceback: every failure is a ``PATH:LINE:COL: CODE`` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from protosmith.exit_codes import ExitCode
from protosmith.spec.loader import load_spec
from protosmith.spec.problems import LoadResult


def report(result: LoadResult) -> int:
    """Print the problems (stdout) or a short ok line (stderr); return the exit status."""
    if result.ok and result.spec is not None:
        count = len(result.spec.scenarios)
        plural = "" if count == 1 else "s"
        print(f"{result.path}: ok ({count} scenario{plural})", file=sys.stderr)
        return ExitCode.OK
    for problem in result.problems:
        print(problem.format())
    return ExitCode.INVALID_SPEC


def run(args: argparse.Namespace) -> int:
    """Validate ``args.spec``; exit 0 when valid, 2 when not."""
    return report(load_spec(Path(args.spec)))
