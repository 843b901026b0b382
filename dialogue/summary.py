"""The end-of-meeting summary: outcome, weighted score, criteria counts, best and weakest turn."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Final

from dialogue.stages import Stage

# How much each stage's replies count in the total: the substance of the ask weighs most.
STAGE_WEIGHT: Final[dict[str, float]] = {
    "meeting_request": 1.0,
    "opening": 1.0,
    "accomplishments": 2.0,
    "ask": 2.0,
    "reaction": 1.5,
    "pushback": 2.0,
    "close": 1.5,
    "follow_up": 1.0,
}
ADVICE_COUNT: Final = 3
EXCERPT_CHARS: Final = 120
ADVICE_PER_TURN: Final = 2


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """What the summary needs of one user reply (kept with the conversation; the server's
    stored snapshot leaves it out and rebuilds it from the reply's stored row)."""

    index: int
    stage: Stage
    score: int
    detected: tuple[str, ...]
    advice: tuple[tuple[str, str], ...]  # (criterion, message), most important first
    excerpt: str

    def to_json(self) -> list[Any]:
        return [
            self.index,
            self.stage,
            self.score,
            list(self.detected),
            [list(a) for a in self.advice],
            self.excerpt,
        ]

    @classmethod
    def from_json(cls, raw: list[Any]) -> TurnRecord:
        index, stage, score, detected, advice, excerpt = raw
        return cls(index, stage, score, tuple(detected), tuple((c, m) for c, m in advice), excerpt)

    @classmethod
    def of_reply(  # noqa: PLR0917 - the parts of a scored reply, as stored
        cls,
        index: int,
        stage: Stage,
        score: int,
        detected: Iterable[str],
        feedback: Iterable[tuple[str, str]],
        text: str,
    ) -> TurnRecord:
        """What the summary keeps of a scored reply: `feedback` as (criterion, message), most
        important first (its first few are kept), and an excerpt of `text`."""
        excerpt = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
        advice = tuple(islice(feedback, ADVICE_PER_TURN))
        return cls(index, stage, score, tuple(detected), advice, excerpt)


@dataclass(frozen=True)
class Summary:
    outcome: str
    score: int
    turns: int
    criteria: dict[str, int]
    best: dict[str, Any] | None
    weakest: dict[str, Any] | None
    advice: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "score": self.score,
            "turns": self.turns,
            "criteria": self.criteria,
            "best": self.best,
            "weakest": self.weakest,
            "advice": self.advice,
        }


def _turn(record: TurnRecord) -> dict[str, Any]:
    return {
        "turn": record.index,
        "stage": record.stage,
        "score": record.score,
        "text": record.excerpt,
    }


def summarise(outcome: str, records: list[TurnRecord], ids: tuple[str, ...]) -> Summary:
    """Weighted score over the turns, counts per criterion, best/weakest turn, top advice."""
    if not records:
        return Summary(outcome, 0, 0, dict.fromkeys(ids, 0), None, None)
    weights = [STAGE_WEIGHT[r.stage] for r in records]
    total = round(sum(w * r.score for w, r in zip(weights, records, strict=True)) / sum(weights))
    counts = Counter(cid for r in records for cid in r.detected)
    best = max(records, key=lambda r: (r.score, -r.index))
    weakest = min(records, key=lambda r: (r.score, r.index))
    return Summary(
        outcome=outcome,
        score=total,
        turns=len(records),
        criteria={cid: counts.get(cid, 0) for cid in ids},
        best=_turn(best),
        weakest=_turn(weakest),
        advice=_advice(records),
    )


def _advice(records: list[TurnRecord]) -> list[dict[str, str]]:
    """The three most useful notes: the most frequent, weighted by stage, one per criterion."""
    weight: dict[str, float] = {}
    first_message: dict[str, str] = {}
    for record in records:
        for rank, (cid, message) in enumerate(record.advice):
            weight[cid] = weight.get(cid, 0.0) + STAGE_WEIGHT[record.stage] / (rank + 1)
            first_message.setdefault(cid, message)
    return [
        {"criterion": cid, "message": first_message[cid]}
        for cid in sorted(weight, key=lambda c: -weight[c])[:ADVICE_COUNT]
    ]
