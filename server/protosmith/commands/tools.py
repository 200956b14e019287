"""``protosmith tools install|status [--force]``: the analyzers review runs beyond Python."""

from __future__ import annotations

import argparse
import sys

from protosmith.exit_codes import ExitCode


def run(args: argparse.Namespace) -> int:
    """Install (from the npm registry, at pinned versions) or report the JavaScript analyzer."""
    from protosmith.analysis.analyzers import (
        AnalyzerInstallError,
        install_js_analyzer,
        js_analyzer_status,
    )

    if args.action == "install":
        try:
            folder = install_js_analyzer(force=args.force)
        except AnalyzerInstallError as error:
            print(f"protosmith tools: {error}", file=sys.stderr)
            return ExitCode.FAILED
        print(f"javascript/typescript analyzer ready in {folder}")
        return ExitCode.OK
    print(f"javascript/typescript: {js_analyzer_status()}")
    return ExitCode.OK
