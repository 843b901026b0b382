"""`rehearse export ID --format md|json`: write a transcript to standard output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dialogue.scenario_loader import load_library
from server.db.database import make_engine
from server.practice import NotFoundError, Practice
from server.settings import Settings
from server.transcripts import markdown


def register(commands: Any) -> None:
    parser = commands.add_parser("export", help="write a practice transcript to stdout")
    parser.add_argument("session", metavar="ID")
    parser.add_argument("--format", choices=("md", "json"), default="md")
    parser.add_argument("--db", default=Settings().db, help="database URL")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    library = load_library()
    practice = Practice(make_engine(args.db), library)
    try:
        session = practice.transcript_for_admin(args.session)
    except NotFoundError:
        print(f"rehearse export: no practice session {args.session!r}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(session, ensure_ascii=False, indent=2))
        return 0
    engine = library.engines.get(session["scenario"])
    sys.stdout.write(markdown(session, engine.spec.manager.name if engine else "Manager"))
    return 0
