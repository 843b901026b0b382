"""`rehearse serve`: run the web application under uvicorn (one or several worker processes)."""

from __future__ import annotations

import argparse
import os
from typing import Any, Final

from server.scenario_options import add_scenario_dirs
from server.settings import MAX_FRAME_BYTES, Settings

# uvicorn's Sans-I/O binding of `websockets`: the same protocol code as its default binding,
# without a reader task, a keepalive task and their futures per connection. At 1,000 sessions
# the web process spent 446 us of CPU per turn with it, 485-497 without, and its full garbage
# collections had fewer objects to walk. Ours frees a closed connection at once
# (server.websocket_protocol).
WEBSOCKET_BINDING: Final = "websockets-sansio"
WEBSOCKET_PROTOCOL: Final = "server.websocket_protocol:PromptlyFreedWebSocketProtocol"
# uvicorn's httptools protocol, freed by reference counting once upgraded (server.http_protocol).
HTTP_PROTOCOL: Final = "server.http_protocol:UpgradeReleasingHttpProtocol"


def register(commands: Any) -> None:
    defaults = Settings()
    parser = commands.add_parser(
        "serve",
        help="serve the web application",
        description="Serve Rehearse. Settings also come from REHEARSE_* environment variables.",
    )
    parser.add_argument("--host", default=defaults.host, help="address to listen on")
    parser.add_argument("--port", type=int, default=defaults.port, help="port to listen on")
    parser.add_argument(
        "--db",
        default=defaults.db,
        help="database URL: sqlite:///FILE (default) or postgresql+psycopg://USER@HOST/DB",
    )
    parser.add_argument("--workers", type=int, default=defaults.workers, help="worker processes")
    parser.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=defaults.access_log,
        help="log every request and websocket connection (default: off)",
    )
    add_scenario_dirs(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - imported here so the other commands start fast

    # Workers build the app from the environment, so the flags travel through it.
    os.environ["REHEARSE_DB"] = args.db
    os.environ["REHEARSE_ACCESS_LOG"] = "true" if args.access_log else "false"
    if args.scenarios:
        existing = [d for d in os.environ.get("REHEARSE_SCENARIOS", "").split(os.pathsep) if d]
        os.environ["REHEARSE_SCENARIOS"] = os.pathsep.join([*args.scenarios, *existing])
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        http=HTTP_PROTOCOL,
        ws=WEBSOCKET_PROTOCOL,
        ws_max_size=MAX_FRAME_BYTES,
        proxy_headers=True,
        access_log=args.access_log,
        log_level="info",
    )
    return 0
