"""pygls' protocol with the LSP lifecycle enforced and expected errors answered quietly.

What pygls 2.1 leaves out, and this class adds:

* lifecycle: a request before ``initialize`` gets -32002 (ServerNotInitialized), a second
  ``initialize`` and every request after ``shutdown`` get -32600 (InvalidRequest), and
  notifications in those states are dropped, as the specification says;
* an error the server raises on purpose (a ``JsonRpcException``: bad arguments, nothing to do) is
  answered with its code and message and logged as one line; only an unexpected exception is
  logged with its traceback, and its answer carries no traceback;
* params that do not fit their method are answered with -32602 instead of being dropped;
* ``$/cancelRequest`` forwards the id to the run the command started (pygls cancels only the
  outer request), ignores ids that cannot be request ids, and a cancel for a request already
  answered is normal (the client raced the answer), not a warning;
* ``didChange`` of a document that was never opened is ignored instead of failing;
* ``exit`` ends the process at once, whatever is still running (see :mod:`protosmith.lsp.server`).

The protocol knows nothing of the server's runs or process: the server hands it
:attr:`ProtosmithProtocol.forward_cancel` and :attr:`ProtosmithProtocol.exit_process` when it
creates it, so this module stays below the server.

These override pygls methods (``_send_handler_result``, ``_handle_request``,
``_handle_cancel_notification``): pygls is pinned below 3.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any
from urllib.parse import unquote

from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
    JsonRpcRequestCancelled,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
)
from pygls.protocol.language_server import lsp_method

from protosmith.llm.errors import BackendError
from protosmith.lsp.arguments import Unavailable

log = logging.getLogger("protosmith.lsp.protocol")

_ANSWERED = JsonRPCNotification(method="", jsonrpc="answered", params=None)
"""Stands in for a message already answered; ``handle_message`` drops non-2.0 messages."""
_ALWAYS = {types.EXIT}


def _ignore(_: Any) -> None:
    return None


def _is_id(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


class ProtosmithProtocol(LanguageServerProtocol):
    """pygls' protocol with protosmith's lifecycle, error answers and cancel forwarding."""

    def __init__(self, server: Any, converter: Any) -> None:
        super().__init__(server, converter)
        self.initialize_received = False
        self.forward_cancel: Callable[[Any], None] = _ignore
        """Cancels the run an executeCommand request started (given the request id)."""
        self.exit_process: Callable[[int], None] = _ignore
        """Ends the process with an exit code, whatever is still running."""

    # --- answers ---------------------------------------------------------------------------
    def send_error_response(self, msg_id: Any, error: types.ResponseError) -> None:
        """An error answer written as plain JSON, so ``"id": null`` is kept when it is unknown."""
        payload: dict[str, Any] = {"code": error.code, "message": error.message}
        if error.data is not None:
            payload["data"] = error.data
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": payload})

    def _answer(self, msg_id: Any, error: JsonRpcException) -> None:
        self.send_error_response(msg_id, error.to_response_error())

    # --- parsing -----------------------------------------------------------------------------
    def structure_message(self, data: dict[str, Any]) -> Any:
        """The typed message for a parsed object; a request that does not fit is answered here."""
        if data.get("jsonrpc") != self.VERSION:
            if _is_id(data.get("id")) and "method" in data:
                self._answer(data["id"], JsonRpcInvalidRequest('"jsonrpc" must be "2.0"'))
            else:
                log.debug("dropping a message that is not JSON-RPC 2.0")
            return _ANSWERED
        method = data.get("method")
        refusal = self._refusal(method) if isinstance(method, str) else None
        if refusal is not None:
            if "id" in data:
                self._answer(data["id"] if _is_id(data["id"]) else None, refusal)
            else:
                log.debug("dropping %s: %s", method, refusal.message)
            return _ANSWERED
        try:
            if "id" in data and method is None:
                if "error" in data:
                    return self._converter.structure(data, types.ResponseErrorMessage)
                kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
                return self._converter.structure(data, kind)
            if not isinstance(method, str):
                raise JsonRpcInvalidRequest('"method" must be a string')
            default = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
            message = self._converter.structure(data, self.get_message_type(method) or default)
            if method == types.INITIALIZE:
                self.initialize_received = True
            return message
        except (ClassValidationError, JsonRpcException, TypeError, ValueError, KeyError) as error:
            if _is_id(data.get("id")) and "method" in data:
                answer = (
                    error
                    if isinstance(error, JsonRpcException)
                    else JsonRpcInvalidParams(f"invalid params for {method!r}")
                )
                self._answer(data["id"], answer)
            else:
                log.info("dropping a malformed %s message", method or "response")
            return _ANSWERED

    # --- lifecycle ---------------------------------------------------------------------------
    def _refusal(self, method: str) -> JsonRpcException | None:
        """Why the lifecycle forbids ``method`` now, or None."""
        if method in _ALWAYS:
            return None
        if method == types.INITIALIZE:
            return (
                JsonRpcInvalidRequest("the server is already initialized")
                if (self.initialize_received)
                else None
            )
        if self._shutdown:
            return JsonRpcInvalidRequest("the server is shutting down; only exit is accepted")
        if not self.initialize_received:
            return JsonRpcServerNotInitialized("the server is not initialized yet")
        return None

    def handle_message(self, message: Any) -> None:
        """Dispatch as pygls does; messages answered while parsing are dropped."""
        if message is _ANSWERED or getattr(message, "jsonrpc", None) != self.VERSION:
            return
        super().handle_message(message)

    # --- requests and their answers ------------------------------------------------------------
    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        try:
            handler = self._get_handler(method_name)
            self._ctx_msg_id.set(msg_id)
            self._execute_handler(
                msg_id=msg_id,
                handler=handler,
                args=(params,),
                callback=lambda future: self._send_handler_result(future, msg_id=msg_id),
            )
        except JsonRpcMethodNotFound as error:
            log.info("unknown method %r (request %s)", method_name, msg_id)
            self._answer(msg_id, error)
        except JsonRpcException as error:
            log.info("request %s (%s) refused: %s", msg_id, method_name, error.message)
            self._answer(msg_id, error)

    def _send_handler_result(self, future: Future[Any], *, msg_id: Any) -> None:
        self._request_futures.pop(msg_id, None)
        if future.cancelled():
            self._answer(msg_id, JsonRpcRequestCancelled(f'Request with id "{msg_id}" is canceled'))
            return
        error = future.exception()
        if error is None:
            self._send_response(msg_id, result=future.result())
            return
        if isinstance(error, BackendError):  # the model is down or unreachable: said, not a bug
            error = Unavailable(f"protosmith: {error}")
        if isinstance(error, JsonRpcException):
            log.info("request %s answered with error %s: %s", msg_id, error.code, error.message)
            self._answer(msg_id, error)
            return
        log.error("request %s failed", msg_id, exc_info=error)
        self._answer(
            msg_id,
            JsonRpcInternalError(f"protosmith: internal error ({type(error).__name__}: {error})"),
        )

    # --- cancel ------------------------------------------------------------------------------
    def _handle_cancel_notification(self, msg_id: Any) -> None:
        if not _is_id(msg_id):
            log.debug("ignoring $/cancelRequest with id %r", msg_id)
            return
        future = self._request_futures.pop(msg_id, None)
        if future is None:
            log.debug("cancel for request %s, which is already answered", msg_id)
        elif future.cancel():
            log.info("cancelled request %s", msg_id)
        self.forward_cancel(msg_id)

    # --- documents ---------------------------------------------------------------------------
    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """Apply changes to an open document; a change to one never opened is ignored."""
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            log.info("ignoring didChange of %s, which was never opened", params.text_document.uri)
            return
        for change in params.content_changes:
            self.workspace.update_text_document(params.text_document, change)
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        """Run the server's shutdown, then cancel what is in flight (over a copy: a cancelled
        future's callback removes itself from the table pygls iterates)."""
        handler = self.fm.features.get(types.SHUTDOWN)
        if handler is not None:
            yield handler, args, None
        current = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True

    @lsp_method(types.EXIT)
    def lsp_exit(self, *args: Any) -> Generator[Any, Any, None]:
        """End the process now: 0 after shutdown, 1 without it (the specification's codes)."""
        handler = self.fm.features.get(types.EXIT)
        if handler is not None:
            yield handler, args, None
        self.exit_process(0 if self._shutdown else 1)
