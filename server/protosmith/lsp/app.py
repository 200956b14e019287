"""Creates the protosmith language server: the server object, with every handler registered.

The one module that knows both the server and its handlers; everything else depends downward
(converters, protocol and arguments at the bottom, the server in the middle, handlers on top).
"""

from __future__ import annotations

from protosmith.lsp.handlers import register
from protosmith.lsp.logging import LogSetup
from protosmith.lsp.server import ProtosmithServer


def create_server(log_setup: LogSetup | None = None) -> ProtosmithServer:
    """A server with every protosmith feature and command registered."""
    server = ProtosmithServer(log_setup)
    register(server)
    return server
