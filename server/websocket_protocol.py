"""The websocket protocol `rehearse serve` gives uvicorn: its Sans-I/O binding of `websockets`,
letting go of a closed connection at once."""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class PromptlyFreedWebSocketProtocol(WebSocketsSansIOProtocol):
    """`websockets`' protocol object refers to itself through its parser, a generator that
    waits for more bytes forever, so every closed connection stayed in memory as a reference
    cycle until the garbage collector's next full collection. Under load those collections came
    every few seconds and walked tens of thousands of objects, about half of them closed
    connections, while every turn in flight waited. Closing the parser when the connection is
    lost (no bytes can arrive after that) ends the cycle: reference counting frees the
    connection, its buffers and its compression state at once."""

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.conn.parser.close()
