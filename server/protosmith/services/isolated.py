"""The static review in a child process, at a lower CPU priority.

The language server reviews whole workspaces on command. In its own process that work (parsing,
the taint engine, bandit's AST walk, mapping results) would share the interpreter lock with the
event loop, and on a two-core machine its helper processes would outnumber the cores; either way
hovers and code actions would wait. Here it runs in ``python -m protosmith.services.isolated``,
started by ``childproc`` in its own session at background priority: the request (paths, root,
unsaved buffers) goes in on stdin as JSON, the ``ReviewResult`` comes back on stdout. Cancelling
the coroutine kills the child's whole process group at once; a review writes nothing, so nothing
is left half done.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from protosmith.analysis.review import ReviewResult, static_review
from protosmith.childproc import run_child

ERROR_TAIL_CHARS = 2000


class IsolatedReviewFailed(ChildProcessError):
    """The child ended without a result; the message carries the end of its error output."""


async def static_review_in_child(
    paths: Sequence[Path], *, root: Path, sources: Mapping[Path, str]
) -> ReviewResult:
    """``static_review`` in a lower-priority child; cancelling kills the child and its helpers."""
    request = {
        "paths": [str(path) for path in paths],
        "root": str(root),
        "sources": {str(path): text for path, text in sources.items()},
    }
    # A review writes nothing, so a cancelled one is killed at once (no grace).
    result = await run_child(
        [sys.executable, "-m", "protosmith.services.isolated"],
        request=json.dumps(request).encode("utf-8"),
        cwd=root,
        interrupt_grace_s=0,
        terminate_grace_s=0,
        name="review",
    )
    if result.returncode != 0 or not result.stdout.strip():
        tail = "\n".join(result.tail)[-ERROR_TAIL_CHARS:].strip()
        raise IsolatedReviewFailed(
            f"the review process exited with code {result.returncode}: {tail or 'no output'}"
        )
    # Thousands of findings take a while to validate: in a thread, the event loop gets turns.
    return await asyncio.to_thread(ReviewResult.model_validate_json, result.stdout)


def main() -> int:
    """Child side: read the request from stdin, print the result as JSON on stdout."""
    request = json.loads(sys.stdin.read())
    root = Path(request["root"])
    sources = {Path(path): text for path, text in request["sources"].items()}
    paths = [Path(path) for path in request["paths"]]
    result = asyncio.run(static_review(paths, root=root, sources=sources))
    sys.stdout.write(result.model_dump_json())
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
