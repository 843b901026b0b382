"""`rehearse serve`: run the web application under uvicorn."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser("serve", help="serve the web application")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - imported here so the other commands start fast

    uvicorn.run("server.app:create_app", factory=True, host=args.host, port=args.port)
    return 0
