"""The `rehearse` command: one sub-command per job, each in its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from server import (
    db_command,
    export_command,
    graph_command,
    play_command,
    scenarios_command,
    score_command,
    serve_command,
    validate_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehearse",
        description="Rehearse asking your manager for a performance-based bonus.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (
        play_command,
        score_command,
        scenarios_command,
        validate_command,
        graph_command,
        serve_command,
        export_command,
        db_command,
    ):
        command.register(commands)
    return parser


def command_names() -> list[str]:
    """Every sub-command, as `rehearse --help` lists them."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


def run() -> None:  # pragma: no cover - the console-script entry point
    sys.exit(main())
