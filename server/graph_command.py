"""`rehearse graph ID`: print a scenario's state machine as a Mermaid diagram."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dialogue.graph import mermaid
from server.scenario_options import add_scenario_dirs, library_from


def register(commands: Any) -> None:
    parser = commands.add_parser("graph", help="print a scenario's state machine (Mermaid)")
    parser.add_argument("scenario", metavar="ID")
    add_scenario_dirs(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    library = library_from(args)
    try:
        engine = library.get(args.scenario)
    except KeyError as exc:
        print(f"rehearse graph: {exc.args[0]}", file=sys.stderr)
        return 2
    sys.stdout.write(mermaid(engine.spec))
    return 0
