"""`rehearse db upgrade`: bring the database schema up to date."""

from __future__ import annotations

import argparse
from typing import Any

from server.db.database import make_engine
from server.db.migrate import upgrade
from server.settings import Settings


def register(commands: Any) -> None:
    parser = commands.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade_parser = actions.add_parser("upgrade", help="run pending migrations")
    upgrade_parser.add_argument("--db", default=Settings().db, help="database URL")
    upgrade_parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    engine = make_engine(args.db)
    upgrade(engine)
    print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")
    return 0
