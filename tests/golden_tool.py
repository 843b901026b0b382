"""Golden transcripts: scripted replies played through a scenario, the result kept to compare.

A golden file (`tests/golden/*.yaml`) holds the input - `scenario`, `seed`, optional `start`,
the `replies` and the `outcome` they should reach - and, written by `--update`, the
`transcript`: for each turn the state, the manager's kind and line, and the reply's score.

    python -m tests.golden_tool --update tests/golden/budget-freeze-phased.yaml
    python -m tests.golden_tool            # check every golden file, print differences
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from dialogue.scenario_loader import ScenarioLibrary, load_library

GOLDEN = Path(__file__).parent / "golden"


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = _yaml().load(path.read_text(encoding="utf-8"))
    return data


def play(golden: dict[str, Any], library: ScenarioLibrary) -> dict[str, Any]:
    """Play the replies; return the transcript and the outcome reached."""
    engine = library.get(golden["scenario"])
    conversation = engine.new_conversation(seed=golden["seed"], start=golden.get("start"))
    opening = conversation.last_line
    turns: list[dict[str, Any]] = [
        {
            "manager": opening.text,
            "kind": opening.kind,
            "state": opening.state,
            "stage": opening.stage,
        }
    ]
    for text in golden["replies"]:
        if conversation.ended:
            raise ValueError(f"the meeting ended before the reply {text!r}")
        turn = conversation.reply(text)
        line = turn.manager
        turns.append(
            {
                "reply": text,
                "score": turn.score.score,
                "detected": list(turn.score.detected),
                "manager": line.text,
                "kind": line.kind,
                "state": line.state,
                "stage": line.stage,
            }
        )
    outcome = conversation.outcome or conversation.abandon().outcome
    return {"outcome": outcome, "transcript": turns}


def check(path: Path, library: ScenarioLibrary, update: bool = False) -> list[str]:
    """Differences between the golden file and a fresh play (empty when they agree)."""
    golden = read(path)
    result = play(golden, library)
    problems = []
    if result["outcome"] != golden["outcome"]:
        problems.append(
            f"{path.name}: reached {result['outcome']!r}, expected {golden['outcome']!r}"
        )
    if update:
        if not problems:
            golden["transcript"] = result["transcript"]
            _yaml().dump(golden, path)
        return problems
    recorded = golden.get("transcript")
    if recorded is None:
        return [*problems, f"{path.name}: no transcript recorded; run with --update"]
    for index, (want, got) in enumerate(zip(recorded, result["transcript"], strict=False)):
        for key in ("state", "kind", "stage", "manager", "score", "detected"):
            if want.get(key) != got.get(key):
                problems.append(
                    f"{path.name}: turn {index}: {key} {got.get(key)!r} != {want.get(key)!r}"
                )
    if len(recorded) != len(result["transcript"]):
        problems.append(f"{path.name}: {len(result['transcript'])} turns, recorded {len(recorded)}")
    return problems


def golden_files() -> list[Path]:
    return sorted(GOLDEN.glob("*.yaml"))


def main(argv: list[str]) -> int:
    update = "--update" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or golden_files()
    library = load_library()
    for problem in library.problems:
        print(problem)
    failed = False
    for path in paths:
        problems = check(path, library, update)
        for message in problems:
            print(message)
        failed = failed or bool(problems)
        if not problems:
            print(f"{path.name}: ok{' (updated)' if update else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
