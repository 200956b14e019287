"""``protosmith serve [--tcp] [--host H] [--port P]``: run the language server.

stdio is the default transport. In stdio mode stdout belongs to JSON-RPC alone: logging goes to
stderr, window/logMessage and the optional log file, and ``sys.stdout`` is pointed at stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys

from protosmith.exit_codes import ExitCode


def run(args: argparse.Namespace) -> int:
    """Serve until the client sends exit (stdio) or the process is stopped (TCP)."""
    from protosmith.lsp.app import create_server
    from protosmith.lsp.logging import LogSetup, protect_stdout

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(
            logging.WARNING
        )  # pygls' debug records (trace=verbose) go to the file only
    # Static review and the pipeline run Python in worker threads; a shorter GIL switch interval
    # lets the event loop (and pygls' stdin reader thread) get in sooner, so cheap requests stay fast.
    sys.setswitchinterval(0.001)
    server = create_server(LogSetup())
    if args.tcp:
        if not 0 < args.port < 65536:
            print(f"protosmith serve: invalid port {args.port}", file=sys.stderr)
            return ExitCode.USAGE
        print(f"protosmith: serving LSP on {args.host}:{args.port}", file=sys.stderr)
        server.start_tcp(args.host, args.port)
        return ExitCode.OK
    stdout = protect_stdout()
    server.start_io(stdout=stdout)
    return ExitCode.OK
