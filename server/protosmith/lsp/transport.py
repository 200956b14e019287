"""The base protocol's framing: read ``Content-Length`` messages, answer the ones that do not parse.

pygls' reader hands every body to ``json.loads`` and logs a traceback when that fails, so a bad
body got no answer and a client waited forever; an absurd ``Content-Length`` made it allocate
the whole body at once. This loop bounds the length (a longer body is skipped in chunks and
answered), answers bodies that are not UTF-8, not JSON, nested too deep or not an object with
-32700 (Parse error, with the request's id when it can still be read), and replaces lone
surrogates (``"\\ud800"`` is valid JSON but no valid text) so nothing later fails to encode them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException

if TYPE_CHECKING:
    from pygls.io_ import AsyncReader

    from protosmith.lsp.protocol import ProtosmithProtocol

log = logging.getLogger("protosmith.lsp.transport")

MAX_CONTENT_LENGTH = 64 * 1024 * 1024
"""The largest body read (64 MiB: a very large file in didOpen fits, a bogus length does not)."""
MAX_HEADER_LINES = 32
_DISCARD_CHUNK = 1024 * 1024
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?\n?$", re.I)
_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")')
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
PARSE_ERROR = -32700


def sanitize(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [sanitize(item) for item in value]
    if isinstance(value, dict):
        return {sanitize(key): sanitize(item) for key, item in value.items()}
    return value


def salvage_id(body: bytes) -> int | str | None:
    """The request id of a body that did not parse, when it can still be read; else None."""
    match = _ID.search(body)
    if match is None:
        return None
    try:
        found = json.loads(match.group(1).decode("utf-8", errors="replace"))
    except ValueError:
        return None
    return found if isinstance(found, int | str) else None


def parse(body: bytes) -> tuple[dict[str, Any] | None, str]:
    """The message object of a body, or None and why it is not one."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"the message is not valid UTF-8 (byte {error.start})"
    try:
        value = json.loads(text)
    except RecursionError:
        return None, "the message is nested too deeply"
    except ValueError as error:
        return None, f"the message is not JSON: {error}"
    if not isinstance(value, dict):
        return None, f"the message is a JSON {type(value).__name__}, not an object"
    if _SURROGATE_ESCAPE.search(body):
        value = sanitize(value)
    return value, ""


def _send_parse_error(protocol: ProtosmithProtocol, msg_id: Any, message: str) -> None:
    protocol.send_error_response(msg_id, ResponseError(code=PARSE_ERROR, message=message))


async def _discard(reader: AsyncReader, length: int) -> bool:
    """Skip ``length`` bytes in bounded chunks; False at end of input."""
    while length > 0:
        chunk = await reader.readexactly(min(length, _DISCARD_CHUNK))
        if not chunk:
            return False
        length -= len(chunk)
    return True


async def read_loop(
    stop_event: threading.Event, reader: AsyncReader, protocol: ProtosmithProtocol
) -> None:
    """Read and dispatch messages until end of input or ``stop_event``."""
    try:
        await _read_messages(stop_event, reader, protocol)
    except asyncio.IncompleteReadError:  # a TCP client went away inside a message
        log.info("the client closed the connection inside a message")


async def _read_messages(
    stop_event: threading.Event, reader: AsyncReader, protocol: ProtosmithProtocol
) -> None:
    while not stop_event.is_set():
        length: int | None = None
        lines = 0
        while True:
            header = await reader.readline()
            if not header:
                return
            lines += 1
            if header in (b"\r\n", b"\n"):
                if length is not None:
                    break
                continue  # blank lines between messages are harmless
            match = _CONTENT_LENGTH.match(header)
            if match:
                length = int(match.group(1))
            elif lines > MAX_HEADER_LINES:
                log.warning("skipping a header without Content-Length")
                lines = 0
        if length is None:
            continue
        if length > MAX_CONTENT_LENGTH:
            log.warning("skipping a message of %d bytes (limit %d)", length, MAX_CONTENT_LENGTH)
            _send_parse_error(
                protocol, None, f"message of {length} bytes exceeds {MAX_CONTENT_LENGTH} bytes"
            )
            if not await _discard(reader, length):
                return
            continue
        body = await reader.readexactly(length) if length else b""
        if length and not body:
            return
        dispatch(protocol, body)


def dispatch(protocol: ProtosmithProtocol, body: bytes) -> None:
    """Parse one body and hand it to the protocol; answer what cannot be handled."""
    message, problem = parse(body)
    if message is None:
        log.warning("answered a message that does not parse: %s", problem)
        _send_parse_error(protocol, salvage_id(body), problem)
        return
    try:
        structured = protocol.structure_message(message)
        protocol.handle_message(structured)
    except JsonRpcException as error:  # answered by the protocol where it had an id
        log.warning("message not handled: %s", error)
    except Exception:  # a bug of ours: keep serving, keep the traceback in the log
        log.exception("unexpected error handling a message")
        msg_id = message.get("id")
        if "method" in message and isinstance(msg_id, int | str):
            protocol.send_error_response(
                msg_id, ResponseError(code=-32603, message="internal error; see the server log")
            )
