"""The ``protosmith`` command line: argument parsing and lazy dispatch, nothing else.

Command implementations live in :mod:`protosmith.commands` and are imported only when
their command runs, which keeps ``check`` (run on every keystroke by some editors) cheap.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from protosmith import __version__
from protosmith.exit_codes import ExitCode
from protosmith.llm.errors import BackendError


def _positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--concurrency 0`` is refused)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value:g} must be more than 0")
    return value


def _backend_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("LLM endpoint and limits")
    group.add_argument(
        "--backend",
        choices=["local", "openai"],
        help="local: the embedded llama.cpp model (default); openai: any OpenAI-compatible "
        "endpoint (env PROTOSMITH_BACKEND)",
    )
    group.add_argument(
        "--model",
        help="model name the endpoint serves (openai), or a .gguf path (local; default: the "
        "embedded Gemma 3 270M) (env PROTOSMITH_MODEL)",
    )
    group.add_argument(
        "--base-url",
        dest="base_url",
        metavar="URL",
        help="OpenAI-compatible base URL, usually ending in /v1, e.g. http://127.0.0.1:8000/v1 "
        "(env PROTOSMITH_BASE_URL)",
    )
    group.add_argument(
        "--max-tokens",
        dest="max_tokens",
        type=_positive_int,
        metavar="N",
        help="completion limit per LLM call (default 16384, less when the model's window or "
        "output limit is smaller) (env PROTOSMITH_MAX_TOKENS)",
    )
    group.add_argument(
        "--context-tokens",
        dest="context_tokens",
        type=_positive_int,
        metavar="N",
        help="the model's context window, prompt plus completion (default: what the endpoint "
        "reports, else known models, else 32768; local: nCtx) (env PROTOSMITH_CONTEXT_TOKENS)",
    )
    group.add_argument(
        "--timeout",
        dest="timeout_s",
        type=_positive_float,
        metavar="SECONDS",
        help="per-request timeout for remote endpoints (default 600) (env PROTOSMITH_TIMEOUT)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (public so docs and tests can introspect it)."""
    parser = argparse.ArgumentParser(
        prog="protosmith",
        description="Turn a prototype spec into a tested, reviewed prototype with LLM agents.",
    )
    parser.add_argument("--version", action="version", version=f"protosmith {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="`protosmith COMMAND -h` lists its options"
    )

    check = sub.add_parser("check", help="validate a spec (exit 2 with PATH:LINE:COL: CODE lines)")
    check.add_argument(
        "spec", nargs="?", default="protosmith.toml", help="spec file (default protosmith.toml)"
    )

    sub.add_parser("schema", help="print the spec's JSON Schema")

    init = sub.add_parser("init", help="draft a spec from a paragraph of prose with the LLM")
    init.add_argument("prose", help="a paragraph describing the prototype, in quotes")
    init.add_argument(
        "-o",
        "--output",
        default="protosmith.toml",
        help="where to write the spec (default protosmith.toml)",
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    _backend_options(init)

    generate = sub.add_parser("generate", help="run the agent pipeline on a spec")
    generate.add_argument(
        "spec", nargs="?", default="protosmith.toml", help="spec file (default protosmith.toml)"
    )
    _backend_options(generate)
    generate.add_argument(
        "--concurrency",
        type=_positive_int,
        metavar="N",
        help="LLM calls in flight at once, at least 1 (default 4; also bounded by the backend's "
        "parallel slots) (env PROTOSMITH_CONCURRENCY)",
    )
    generate.add_argument(
        "--resume",
        metavar="RUN",
        help="continue an interrupted run: its id, or 'last' for the most recent one",
    )
    generate.add_argument(
        "--redo", action="store_true", help="with --resume: run a run that succeeded again"
    )
    generate.add_argument("--json", action="store_true", help="print the summary as JSON")
    # For the language server, which runs generations as a child process.
    generate.add_argument("--progress-json", action="store_true", help=argparse.SUPPRESS)
    # The server's generation child: one GenerateOptions JSON object on stdin, JSON out.
    generate.add_argument("--child", action="store_true", help=argparse.SUPPRESS)

    review = sub.add_parser("review", help="review files or folders")
    review.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to review")
    review.add_argument(
        "--format",
        choices=["text", "json", "sarif"],
        default="text",
        help="output format (default text)",
    )
    review.add_argument("--no-llm", action="store_true", help="static analysis only")
    review.add_argument(
        "--fail-on",
        choices=["critical", "major", "minor", "none"],
        default="critical",
        help="exit 1 when a finding of this severity or worse is reported (default critical)",
    )
    _backend_options(review)

    refine = sub.add_parser("refine", help="compute a validated edit from an instruction")
    refine.add_argument("path", help="the file to edit")
    refine.add_argument(
        "--instruction", required=True, help="what to change, in a sentence (required)"
    )
    refine.add_argument(
        "--apply", action="store_true", help="write the edit (default: print the diff only)"
    )
    _backend_options(refine)

    doctor = sub.add_parser("doctor", help="report the environment and what is missing")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    _backend_options(doctor)

    tools = sub.add_parser("tools", help="install the analyzers review uses beyond Python")
    tools.add_argument(
        "action",
        choices=["install", "status"],
        help="install: fetch the analyzers; status: show what is installed",
    )
    tools.add_argument("--force", action="store_true", help="reinstall even when current")

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument(
        "--tcp", action="store_true", help="listen on TCP instead of stdio (for debugging)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and ``python -m protosmith``."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    module = importlib.import_module(f"protosmith.commands.{args.command}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("protosmith: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except (BackendError, OSError) as error:  # ordinary: an endpoint down, a disk, a permission
        return _ordinary_failure(args.command, error)


def error_log_path() -> Path:
    """Where the CLI keeps the traceback of the last ordinary failure (never on the terminal)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "protosmith" / "last-error.log"


def _ordinary_failure(command: str, error: BaseException) -> int:
    """One line naming what failed (a backend error carries its fix); the traceback to a log."""
    where = ""
    try:
        path = error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        where = f" (details: {path})"
    except OSError:
        pass
    if isinstance(error, OSError) and error.strerror:
        target = f" {error.filename}" if error.filename else ""
        message = f"cannot use{target}: {error.strerror}; check the path and its permissions"
    else:
        message = str(error)
    print(f"protosmith {command}: {message}{where}", file=sys.stderr)
    return ExitCode.FAILED
