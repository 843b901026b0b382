"""The HTTP protocol `rehearse serve` gives uvicorn: its httptools protocol, letting go of the
connection's HTTP side once it has become a websocket."""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class UpgradeReleasingHttpProtocol(HttpToolsProtocol):
    """The httptools parser holds its protocol's callbacks (bound methods), and the protocol
    holds the parser: a cycle. When the connection ends, uvicorn drops the parser; when it is
    upgraded to a websocket, the websocket protocol takes the transport over and this object
    is just left, cycle and all, for the garbage collector: ~25 objects for every websocket,
    400-800 objects in each young collection of the web process at 1,000 sessions (150 new
    websockets a second). Some were still on the stack when a young collection ran, and since
    survivors are frozen (server.gc_tuning) they then waited for the next reclaim. Dropping the
    parser after the upgrade lets reference counting free it all at once."""

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # As uvicorn's own connection_lost does.
        self.parser = None  # type: ignore[assignment]
