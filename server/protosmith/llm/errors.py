"""Errors a backend raises; each message names the endpoint and the fix."""

from __future__ import annotations


class BackendError(Exception):
    """A backend failed in a way the user can act on.

    ``retryable`` tells the caller whether trying again may help (connection, 429, 5xx);
    ``hint`` says what to do about it, and is shown to the user as is.
    """

    def __init__(self, message: str, *, hint: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.hint = hint
        self.retryable = retryable

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class BackendUnavailable(BackendError):
    """The backend cannot run here at all (package missing, model missing, endpoint down)."""


class ReplyTruncated(BackendError):
    """The reply hit ``max_tokens``; it is not parsed, the caller may retry with more room."""


class StructuredOutputError(BackendError):
    """The model never produced a reply that validates, after the bounded retries."""
