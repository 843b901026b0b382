"""`rehearse scenarios [--json]`: list the scenarios (id, title, difficulty, tags)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from server.scenario_options import add_scenario_dirs, library_from


def register(commands: Any) -> None:
    parser = commands.add_parser("scenarios", help="list the scenarios")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    add_scenario_dirs(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    library = library_from(args)
    rows = library.listing()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']:<20} {row['difficulty']:<7} {row['title']}  [{', '.join(row['tags'])}]")
    return 0
