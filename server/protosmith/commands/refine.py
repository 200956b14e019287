"""``protosmith refine PATH --instruction TEXT [--apply]``: print the validated diff, or apply it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from protosmith.exit_codes import ExitCode


def run(args: argparse.Namespace) -> int:
    """Compute a validated edit; exit 1 when no valid edit was found."""
    from protosmith.llm.errors import BackendError
    from protosmith.pipeline.writer import SafeWriter, UnsafePathError
    from protosmith.services.refine import is_mechanical, refine
    from protosmith.services.workspace import folder_settings
    from protosmith.settings import SettingsOverrides

    path = Path(args.path)
    if not path.exists():
        print(f"protosmith refine: {path}: no such file or folder", file=sys.stderr)
        return ExitCode.USAGE
    root = Path.cwd().resolve()
    if not path.resolve().is_relative_to(root):
        print(f"protosmith refine: {path} is outside the current workspace {root}", file=sys.stderr)
        return ExitCode.USAGE
    settings, problems = folder_settings(root, SettingsOverrides.from_args(args))
    for problem in problems:
        print(f"protosmith: {problem}", file=sys.stderr)

    async def go() -> int:
        backend = None
        if not is_mechanical(args.instruction):
            from protosmith.llm.factory import create_backend

            backend = create_backend(settings)
        try:
            result = await refine(
                path, args.instruction, root=root, backend=backend, settings=settings
            )
        finally:
            if backend is not None:
                await backend.aclose()
        for check in result.checks:
            print(f"check: {check}", file=sys.stderr)
        if not result.validated:
            print(f"protosmith refine: no valid edit: {result.message}", file=sys.stderr)
            return ExitCode.FAILED
        if not args.apply:
            sys.stdout.write(result.diff)
            return ExitCode.OK
        writer = SafeWriter(root, workspace=root)
        for edit in result.edits:
            writer.write_text(str(Path(edit.path).relative_to(root)), edit.new_text)
        print(f"applied: {len(result.edits)} file(s) changed. {result.message}", file=sys.stderr)
        return ExitCode.OK

    try:
        return asyncio.run(go())
    except (BackendError, LookupError, ValueError, UnsafePathError) as error:
        print(f"protosmith refine: {error}", file=sys.stderr)
        return ExitCode.FAILED
