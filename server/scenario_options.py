"""The options every scenario-reading command shares, and loading with problems reported."""

from __future__ import annotations

import argparse
import sys

from dialogue.scenario_loader import ScenarioLibrary, load_library


def add_scenario_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenarios",
        metavar="DIR",
        action="append",
        default=[],
        help="also load scenario files from DIR (repeatable; also REHEARSE_SCENARIOS)",
    )


def library_from(args: argparse.Namespace, report: bool = True) -> ScenarioLibrary:
    """Every known scenario; broken files are reported on stderr and skipped."""
    library = load_library(args.scenarios)
    if report:
        for problem in library.problems:
            print(problem, file=sys.stderr)
    return library
