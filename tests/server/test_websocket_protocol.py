"""The websocket and HTTP protocols `rehearse serve` runs: a closed connection is freed at once,
and so is the HTTP side of one upgraded to a websocket."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from server.http_protocol import UpgradeReleasingHttpProtocol
from server.serve_command import HTTP_PROTOCOL, WEBSOCKET_PROTOCOL
from server.websocket_protocol import PromptlyFreedWebSocketProtocol


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called here
    raise AssertionError("no request was made")


HANDSHAKE = (
    b"GET /ws/sessions/abc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
)


async def _accepting_app(scope: Any, receive: Any, send: Any) -> None:
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    assert (await receive())["type"] == "websocket.disconnect"


class _Transport(asyncio.Transport):
    """Just enough of a transport for a connection that is made and then lost."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self.written = b""

    def write(self, data: Any) -> None:
        self.written += bytes(data)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def close(self) -> None:
        self.closed = True

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def is_closing(self) -> bool:
        return self.closed


def test_serve_uses_these_protocols() -> None:
    assert WEBSOCKET_PROTOCOL.split(":") == [
        PromptlyFreedWebSocketProtocol.__module__,
        "PromptlyFreedWebSocketProtocol",
    ]
    assert HTTP_PROTOCOL.split(":") == [
        UpgradeReleasingHttpProtocol.__module__,
        "UpgradeReleasingHttpProtocol",
    ]


def _upgraded_http_side_left(http_class: type[HttpToolsProtocol]) -> bool:
    """Upgrade a connection to a websocket; is its HTTP protocol object still in memory once
    nothing refers to it but itself (the garbage collector off)?"""

    async def upgraded() -> weakref.ref[HttpToolsProtocol]:
        config = Config(app=_accepting_app, ws=PromptlyFreedWebSocketProtocol, http=http_class)
        config.load()
        state = ServerState()
        http = http_class(config, state, {})
        transport = _Transport()
        http.connection_made(transport)
        http.data_received(HANDSHAKE)
        assert isinstance(transport.protocol, PromptlyFreedWebSocketProtocol)
        left = weakref.ref(http)
        del http
        transport.protocol.connection_lost(None)
        while state.tasks:
            await asyncio.sleep(0)
        return left

    gc.disable()
    try:
        return asyncio.run(upgraded())() is not None
    finally:
        gc.enable()


def test_the_http_side_of_an_upgraded_connection_is_freed_without_the_garbage_collector() -> None:
    assert _upgraded_http_side_left(HttpToolsProtocol)  # uvicorn's own: a cycle, left behind
    assert not _upgraded_http_side_left(UpgradeReleasingHttpProtocol)


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


def test_an_accepted_connection_is_freed_with_its_compression_state() -> None:
    async def played(state: ServerState) -> Any:
        config = Config(app=_accepting_app, ws_per_message_deflate=True)
        protocol = PromptlyFreedWebSocketProtocol(config, state, {})
        transport = _Transport()
        protocol.connection_made(transport)
        protocol.data_received(HANDSHAKE)
        while b"\r\n\r\n" not in transport.written:  # the app accepts
            await asyncio.sleep(0)
        assert transport.written.startswith(b"HTTP/1.1 101")
        assert b"permessage-deflate" in transport.written
        (extension,) = protocol.conn.extensions  # deflate, negotiated
        freed = weakref.ref(extension)
        protocol.connection_lost(None)
        while state.tasks:  # the app sees the disconnect and ends
            await asyncio.sleep(0)
        return freed

    gc.disable()  # reference counting alone must free it
    try:
        freed = asyncio.run(played(ServerState()))
        assert freed() is None, "the closed connection's compression state is still in memory"
    finally:
        gc.enable()
