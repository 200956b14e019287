"""``protosmith init "PROSE" [-o protosmith.toml] [--force]``: draft a spec with the LLM.

The drafter returns a spec that already validates; this command writes it (never over an
existing file unless ``--force``), prints it, and checks the written file exactly as
``protosmith check`` would, so what the user sees is what every other command will read.
The call uses the effective limits of the endpoint (never a cap below the user's settings)
and says on stderr what it is waiting for, so a slow model is never silent minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from protosmith.commands.check import report
from protosmith.exit_codes import ExitCode
from protosmith.llm.errors import BackendError
from protosmith.settings import Settings, SettingsOverrides, resolve_settings
from protosmith.spec.loader import load_spec

log = logging.getLogger(__name__)


def _error(message: str) -> None:
    print(f"protosmith init: {message}", file=sys.stderr)


HEARTBEAT_S = 15.0
"""How often a line on stderr says the model is still working."""


async def _heartbeat(what: str, started: float, interval: float = HEARTBEAT_S) -> None:
    """Print ``still WHAT (Ns)`` every ``interval`` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval)
        print(f"protosmith init: still {what} ({time.monotonic() - started:.0f}s)", file=sys.stderr)


async def _draft(settings: Settings, prose: str) -> tuple[str, list[str]]:
    """Run the drafter on the configured backend; return the TOML text and the repairs."""
    from protosmith.agents.spec_drafter import draft_spec
    from protosmith.llm.factory import create_backend
    from protosmith.llm.limits import effective_limits
    from protosmith.spec.toml_writer import dumps

    started = time.monotonic()
    backend = create_backend(settings)
    ticker: asyncio.Task[None] | None = None
    try:
        limits = await effective_limits(backend, settings)
        model = backend.capabilities.model
        print(
            f"protosmith init: drafting the spec with {settings.backend} model {model} "
            f"({limits.describe()})",
            file=sys.stderr,
        )
        ticker = asyncio.create_task(_heartbeat(f"drafting with {model}", started))
        outcome = await draft_spec(backend, prose, max_tokens=limits.max_tokens)
    finally:
        if ticker is not None:
            ticker.cancel()
        await backend.aclose()
    print(
        f"protosmith init: drafted in {time.monotonic() - started:.1f}s "
        f"({outcome.attempts} attempt(s), {outcome.usage.completion_tokens} completion tokens)",
        file=sys.stderr,
    )
    return dumps(outcome.spec), outcome.repairs


def write_new(target: Path, text: str, *, force: bool) -> None:
    """Write the spec; without ``force`` an existing file is never replaced (exclusive create)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not force:
        with target.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        return
    handle, temporary = tempfile.mkstemp(prefix=".protosmith-", suffix=".toml", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, target)
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def run(args: argparse.Namespace) -> int:
    """Draft, write, print and check a spec; exit 1 when the backend fails, 2 on bad usage."""
    prose = args.prose.strip()
    target = Path(args.output)
    if not prose:
        _error("describe the prototype in a sentence or more")
        return ExitCode.USAGE
    if target.exists() and not args.force:
        _error(f"{target} already exists; pass --force to overwrite it")
        return ExitCode.USAGE
    settings, problems = resolve_settings(SettingsOverrides.from_args(args))
    for problem in problems:
        _error(problem)
    from protosmith.pipeline import preflight

    blocked, settings = asyncio.run(preflight.check_init(settings, target))
    for check in blocked:  # before the LLM call: one line each, naming the fix
        _error(check.line())
    if blocked:
        return ExitCode.USAGE if blocked[0].check == "output" else ExitCode.FAILED
    try:
        text, repairs = asyncio.run(_draft(settings, prose))
    except BackendError as error:
        _error(f"the {settings.backend} LLM backend failed: {error}")
        return ExitCode.FAILED
    except OSError as error:
        log.debug("backend start failed", exc_info=True)
        _error(f"cannot start the {settings.backend} LLM backend: {error}")
        return ExitCode.FAILED
    try:
        write_new(target, text, force=args.force)
    except FileExistsError:
        _error(f"{target} already exists; pass --force to overwrite it")
        return ExitCode.USAGE
    except OSError as error:
        _error(f"cannot write {target}: {error}")
        return ExitCode.FAILED
    print(text, end="")
    for repair in repairs:
        _error(f"repaired: {repair}")
    print(f"wrote {target}; review it, then run `protosmith generate`", file=sys.stderr)
    return report(load_spec(target))
