"""Precision, recall and F1 of every detector on the labelled replies (`make eval`)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialogue import score_reply
from dialogue.rubric import load_rubric

DATA = Path(__file__).parent / "data"
TUNING = DATA / "replies_tuning.jsonl"
HELDOUT = DATA / "replies_heldout.jsonl"


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    name: str
    items: int
    per_id: dict[str, Counts]
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(c.f1 for c in self.per_id.values()) / len(self.per_id)


def load_set(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(path: Path) -> Report:
    ids = load_rubric().ids
    items = load_set(path)
    per_id = {cid: Counts() for cid in ids}
    errors = []
    for item in items:
        got = set(score_reply(item["text"], item["stage"]).detected)
        want = set(item["labels"])
        for cid in ids:
            counts = per_id[cid]
            if cid in got and cid in want:
                counts.tp += 1
            elif cid in got:
                counts.fp += 1
            elif cid in want:
                counts.fn += 1
        if got != want:
            errors.append({**item, "missed": sorted(want - got), "extra": sorted(got - want)})
    return Report(path.stem, len(items), per_id, errors)


def render(report: Report) -> str:
    lines = [
        f"{report.name}: {report.items} replies, macro-F1 {report.macro_f1:.3f}",
        f"{'criterion':<26}{'P':>7}{'R':>7}{'F1':>7}{'pos':>6}",
    ]
    for cid, c in report.per_id.items():
        lines.append(f"{cid:<26}{c.precision:7.2f}{c.recall:7.2f}{c.f1:7.2f}{c.tp + c.fn:6d}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    show_errors = "--errors" in argv
    for path in (TUNING, HELDOUT):
        report = evaluate(path)
        print(render(report), end="\n\n")
        # Only the tuning part's mistakes are shown: the held-out part is never tuned on.
        if show_errors and path == TUNING:
            for error in report.errors:
                print(json.dumps(error, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
