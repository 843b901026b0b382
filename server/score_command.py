"""`rehearse score`: score one reply, or one reply per line of standard input (--jsonl)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from dialogue import STAGES, ReplyRejectedError, score_reply


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "score",
        help="score a reply against the guide and print the result as JSON",
        description="Score a reply against the guide's etiquette and script.",
    )
    parser.add_argument("text", nargs="?", help="the reply to score (omit with --jsonl)")
    parser.add_argument("--stage", choices=STAGES, help="the stage of the script it answers")
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help="read one reply per line on stdin, write one JSON object per line",
    )
    parser.set_defaults(run=run)


def _dump(obj: object, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _score_line(text: str, stage: str | None) -> tuple[dict[str, Any], bool]:
    try:
        return score_reply(text, stage).to_json(), True
    except ReplyRejectedError as exc:
        return {"error": exc.to_json()}, False


def run(args: argparse.Namespace) -> int:
    if args.jsonl:
        if args.text is not None:
            print("rehearse score: give TEXT or --jsonl, not both", file=sys.stderr)
            return 2
        return _run_lines(sys.stdin.buffer, args.stage, sys.stdout)
    if args.text is None:
        print("rehearse score: give the reply to score as TEXT, or use --jsonl", file=sys.stderr)
        return 2
    result, ok = _score_line(args.text, args.stage)
    _dump(result, sys.stdout)
    if not ok:
        print(f"rehearse score: {result['error']['message']}", file=sys.stderr)
    return 0 if ok else 1


def _run_lines(source: Any, stage: str | None, out: TextIO) -> int:
    failed = False
    for raw in source:
        # Undecodable bytes are replaced rather than refused: anything but empty/too long scores.
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        result, ok = _score_line(line, stage)
        failed = failed or not ok
        _dump(result, out)
        out.flush()
    return 1 if failed else 0
