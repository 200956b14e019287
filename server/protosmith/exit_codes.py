"""The exit statuses of every ``protosmith`` command, in one place.

Scripts, CI and the editor clients branch on these numbers, so they are part of the interface:
each value keeps its meaning across commands. Names that share a value are aliases that say
why a given command returns it (``FINDINGS`` and ``FAILED`` are both 1).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """A command's exit status."""

    OK = 0
    """Success: the spec is valid, the review is under ``--fail-on``, the run succeeded."""
    FAILED = 1
    """The command could not do its job (no backend, no valid edit, a failed run)."""
    FINDINGS = 1
    """Review findings at or above ``--fail-on``, or the doctor found something missing."""
    USAGE = 2
    """Bad arguments: a missing path, a flag combination that makes no sense."""
    INVALID_SPEC = 2
    """The spec does not validate (the same status as a usage error, like compilers use)."""
    PARTIAL = 3
    """A run generated something but did not prove everything."""
    BUDGET = 4
    """A run stopped at its ``[budget]``."""
    INTERRUPTED = 130
    """Stopped cleanly after Ctrl-C (:func:`killed_by` SIGINT)."""


def killed_by(signum: int) -> int:
    """The status of a process a signal ended at once: 128 + N, as shells report it (130 for
    SIGINT, 143 for SIGTERM)."""
    return 128 + signum
