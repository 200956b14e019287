"""Server logging: window/logMessage for the editor, an optional file, never stdout.

In stdio mode stdout carries JSON-RPC, so a stray ``print`` or a library logging to stdout would
corrupt the stream; :func:`protect_stdout` points ``sys.stdout`` at stderr once pygls holds the
real stream. Every record passes :class:`RedactSecrets` first, so an API key that slipped into a
message (an exception text quoting a header, say) never reaches the editor or the file.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from protosmith.context.secrets import known_secrets, redact_text

LOGGER_NAME = "protosmith"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_TRACE_LEVELS = {"off": logging.INFO, "messages": logging.DEBUG, "verbose": logging.DEBUG}


class RedactSecrets(logging.Filter):
    """Redact API keys (the named environment variables' values) and anything secret-looking."""

    def __init__(self) -> None:
        super().__init__()
        self.env_names: set[str] = {"OPENAI_API_KEY"}

    def filter(self, record: logging.LogRecord) -> bool:
        known = known_secrets(*self.env_names)
        record.msg, record.args = redact_text(record.getMessage(), known), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_text(
                logging.Formatter().formatException(record.exc_info), known
            )
        return True


class EditorLogHandler(logging.Handler):
    """Forward records to the editor through ``send(level, text)``; pygls' own records stay out.

    pygls logs every message it sends, so forwarding its records would loop forever.
    """

    def __init__(self, send: Callable[[int, str], None]) -> None:
        super().__init__()
        self._send = send
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("pygls") or getattr(self._local, "busy", False):
            return
        self._local.busy = True
        try:
            self._send(record.levelno, self.format(record))
        except (OSError, RuntimeError):
            self.handleError(record)
        finally:
            self._local.busy = False


class LogSetup:
    """Owns the protosmith handlers so settings changes can retune them at run time."""

    def __init__(self) -> None:
        self.redactor = RedactSecrets()
        self.logger = logging.getLogger(LOGGER_NAME)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self._stderr = logging.StreamHandler(sys.stderr)
        self._stderr.setLevel(logging.WARNING)
        self._add(self._stderr)
        self._editor: EditorLogHandler | None = None
        self._file: logging.FileHandler | None = None
        self._file_path: str | None = None

    def _add(self, handler: logging.Handler) -> None:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(self.redactor)
        self.logger.addHandler(handler)

    def attach_editor(self, send: Callable[[int, str], None]) -> None:
        """Start forwarding to window/logMessage."""
        if self._editor is None:
            self._editor = EditorLogHandler(send)
            self._add(self._editor)

    def configure(self, *, trace: str, log_file: str | None, api_key_env: str) -> None:
        """Apply the trace level, (re)open the log file, and learn the key variable to redact."""
        self.redactor.env_names.add(api_key_env)
        level = _TRACE_LEVELS.get(trace, logging.INFO)
        self.logger.setLevel(level)
        logging.getLogger("pygls").setLevel(
            logging.DEBUG if trace == "verbose" else logging.WARNING
        )
        if log_file == self._file_path:
            return
        if self._file is not None:
            self.logger.removeHandler(self._file)
            logging.getLogger("pygls").removeHandler(self._file)
            self._file.close()
            self._file = None
        self._file_path = log_file
        if log_file:
            try:
                Path(log_file).expanduser().parent.mkdir(parents=True, exist_ok=True)
                # backslashreplace: a lone surrogate from a client must not end file logging.
                self._file = logging.FileHandler(
                    Path(log_file).expanduser(), encoding="utf-8", errors="backslashreplace"
                )
            except OSError as error:
                self.logger.warning("cannot open log file %s: %s", log_file, error)
                return
            self._add(self._file)
            logging.getLogger("pygls").addHandler(self._file)


def protect_stdout() -> BinaryIO:
    """Return the real stdout for JSON-RPC and send every later ``print`` to stderr."""
    real = sys.stdout.buffer
    sys.stdout = sys.stderr
    return real
