"""`rehearse validate [PATH ...]`: check scenario files; every problem as `file:line: message`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dialogue.problems import Problem
from dialogue.scenario_loader import load_file, scenario_files
from server.scenario_options import add_scenario_dirs, library_from


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "validate",
        help="check scenario files (default: every known scenario) and lint them",
        description="Check scenario files and lint their state graphs. Exits 1 on any error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or directories")
    add_scenario_dirs(parser)
    parser.set_defaults(run=run)


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(scenario_files(path) if path.is_dir() else [path])
    return found


def run(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    checked = 0
    if args.paths:
        for path in _files(args.paths):
            _, found = load_file(path)
            problems.extend(found)
            checked += 1
    else:
        library = library_from(args, report=False)
        problems = library.problems
        checked = len(library.engines) + len({p.source for p in problems if p.severity == "error"})
    for problem in problems:
        print(problem)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{checked} file(s) checked: {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0
