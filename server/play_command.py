"""`rehearse play ID`: practise in the terminal, one reply per line (typed or piped)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from dialogue import ReplyRejectedError
from dialogue.conversation import Conversation, ManagerLine, Turn
from dialogue.summary import Summary
from server.scenario_options import add_scenario_dirs, library_from


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "play",
        help="practise a scenario in the terminal",
        description="Practise a scenario: the manager speaks, you type one reply per line. "
        "Replies can be piped in, one per line; if they run out, the meeting is abandoned.",
    )
    parser.add_argument("scenario", metavar="ID")
    parser.add_argument("--seed", type=int, help="seed for the manager's choice of words")
    parser.add_argument("--start", metavar="STATE", help="start at this state (a drill)")
    parser.add_argument("--json", action="store_true", help="one JSON message per line")
    add_scenario_dirs(parser)
    parser.set_defaults(run=run)


def _replies(interactive: bool) -> Iterator[str]:
    if interactive:
        while True:
            try:
                yield input("You: ")
            except EOFError:
                return
    else:
        for line in sys.stdin:
            yield line.rstrip("\r\n")


class _Printer:
    """Writes the conversation as text for a person, or as JSON messages for a program."""

    def __init__(self, conversation: Conversation, as_json: bool, out: TextIO) -> None:
        self.conversation = conversation
        self.as_json = as_json
        self.out = out

    def emit(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.out.flush()

    def manager(self, line: ManagerLine) -> None:
        if self.as_json:
            self.emit(line.to_message())
            return
        name = self.conversation.engine.spec.manager.name
        speaker = "" if line.kind == "narration" else f"{name}: "
        print(f"\n[{line.stage.replace('_', ' ')}] {speaker}{line.text}", file=self.out)

    def score(self, turn: Turn) -> None:
        if self.as_json:
            self.emit(turn.score_message())
            return
        result = turn.score
        met = ", ".join(result.detected) or "nothing yet"
        print(f"  score {result.score}/100 · tone {result.tone:+.2f} · {met}", file=self.out)
        for item in result.feedback[:2]:
            print(f"  - {item.message}", file=self.out)

    def error(self, exc: ReplyRejectedError) -> None:
        if self.as_json:
            self.emit({"type": "error", **exc.to_json()})
        else:
            print(f"  ({exc.message})", file=self.out)

    def end(self, summary: Summary) -> None:
        if self.as_json:
            self.emit(
                {
                    "type": "end",
                    "outcome": summary.outcome,
                    "score": summary.score,
                    "summary": summary.to_json(),
                }
            )
            return
        print(
            f"\n== The meeting is over: {summary.outcome} · score {summary.score}/100",
            file=self.out,
        )
        for label, turn in (("best", summary.best), ("weakest", summary.weakest)):
            if turn:
                print(
                    f"   {label} reply ({turn['stage']}, {turn['score']}): {turn['text']}",
                    file=self.out,
                )
        for item in summary.advice:
            print(f"   next time: {item['message']}", file=self.out)


def run(args: argparse.Namespace) -> int:
    library = library_from(args)
    try:
        engine = library.get(args.scenario)
        conversation = engine.new_conversation(seed=args.seed, start=args.start)
    except (KeyError, ValueError) as exc:
        print(f"rehearse play: {exc.args[0]}", file=sys.stderr)
        return 2
    interactive = sys.stdin.isatty() and not args.json
    printer = _Printer(conversation, args.json, sys.stdout)
    if not args.json:
        spec = engine.spec
        print(f"{spec.title} - {spec.manager.name}, {spec.manager.role} (seed {conversation.seed})")
    printer.manager(conversation.last_line)
    for text in _replies(interactive):
        if not interactive and not args.json:
            print(f"You: {text}")
        try:
            turn = conversation.reply(text)
        except ReplyRejectedError as exc:
            printer.error(exc)
            continue
        printer.score(turn)
        printer.manager(turn.manager)
        if turn.summary is not None:
            printer.end(turn.summary)
            return 0
    printer.end(conversation.abandon())
    return 0
