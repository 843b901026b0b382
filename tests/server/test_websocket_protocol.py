"""The websocket protocol `rehearse serve` runs: a closed connection is freed at once."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from server.serve_command import WEBSOCKET_PROTOCOL
from server.websocket_protocol import PromptlyFreedWebSocketProtocol


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called here
    raise AssertionError("no request was made")


class _Transport(asyncio.Transport):
    """Just enough of a transport for a connection that is made and then lost."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_serve_uses_this_protocol() -> None:
    module, name = WEBSOCKET_PROTOCOL.split(":")
    assert (module, name) == (
        PromptlyFreedWebSocketProtocol.__module__,
        "PromptlyFreedWebSocketProtocol",
    )


def test_a_lost_connection_is_freed_without_the_garbage_collector() -> None:
    loop = asyncio.new_event_loop()
    try:
        config = Config(app=_app, ws_per_message_deflate=True)
        protocol = PromptlyFreedWebSocketProtocol(config, ServerState(), {}, _loop=loop)
        transport = _Transport()
        protocol.connection_made(transport)
        state = weakref.ref(protocol.conn)  # the websockets protocol, parser and buffers
        gc.disable()  # reference counting alone must free it
        try:
            protocol.connection_lost(None)
            del protocol
            assert state() is None, "the closed connection is still in memory"
        finally:
            gc.enable()
        assert transport.closed
    finally:
        loop.close()
