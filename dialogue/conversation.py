"""One practice conversation: its state, variables and history, small enough to keep thousands.

A Conversation shares its scenario's machine (see dialogue.engine) and is handed to it only for
the length of a turn, so nothing per conversation lives in the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dialogue.errors import ReplyRejectedError
from dialogue.kinds import Kind, Outcome
from dialogue.money import amount_text, percent_text
from dialogue.placeholders import render
from dialogue.prepared import Prepared
from dialogue.rng import pick
from dialogue.scoring import Score, score_reply
from dialogue.stages import Stage
from dialogue.summary import Summary, TurnRecord, summarise

if TYPE_CHECKING:
    from dialogue.engine import ScenarioEngine

ENDING_STAGE: Stage = "close"


class ConversationOverError(RuntimeError):
    """A reply to a conversation that has ended."""


@dataclass(frozen=True, slots=True)
class ManagerLine:
    index: int
    text: str
    kind: Kind
    state: str
    stage: Stage

    def to_message(self) -> dict[str, Any]:
        return {
            "type": "manager",
            "index": self.index,
            "text": self.text,
            "kind": self.kind,
            "state": self.state,
            "stage": self.stage,
        }


@dataclass(frozen=True, slots=True)
class Turn:
    """One reply and what came of it."""

    index: int
    text: str
    score: Score
    manager: ManagerLine
    outcome: Outcome | None = None
    summary: Summary | None = None

    def score_message(self) -> dict[str, Any]:
        return {"type": "score", "turn": self.index, **self.score.to_json()}


class TurnContext:
    """What conditions and actions see of a turn: the scored reply and the conversation."""

    def __init__(self, conversation: Conversation, score: Score) -> None:
        self.conversation = conversation
        self.score = score
        self.detected = frozenset(score.detected)
        self.violations = self.detected & conversation.engine.violation_ids
        self.ask_percent = ask_percent(score.ask, conversation.variables)
        # In an interrupt, replies are answered as the interrupted state would answer them.
        spec = conversation.engine.spec.states[conversation.state]
        counted = conversation.return_to if spec.interrupt and conversation.return_to else None
        self.visits = conversation.visits.get(counted or conversation.state, 0)
        self.user_turns = len(conversation.records)

    @property
    def variables(self) -> dict[str, Any]:
        return self.conversation.variables

    @property
    def current_ask_percent(self) -> float | None:
        if self.ask_percent is not None:
            return self.ask_percent
        remembered = self.variables.get("ask")
        return float(remembered) if isinstance(remembered, int | float) else None

    def set_counter(self, percent: float) -> None:
        self.conversation.set_counter(percent)


class Conversation:
    """A conversation with one scenario's manager."""

    __slots__ = (
        "_line",
        "draws",
        "engine",
        "outcome",
        "prepared",
        "records",
        "return_to",
        "seed",
        "stage",
        "state",
        "turn_index",
        "variables",
        "visits",
    )

    def __init__(
        self,
        engine: ScenarioEngine,
        seed: int,
        variables: dict[str, Any],
        prepared: Prepared | None = None,
    ) -> None:
        self.engine = engine
        self.seed = seed
        self.draws = 0
        self.variables = variables
        self.prepared = prepared
        self.visits: dict[str, int] = {}
        self.records: list[TurnRecord] = []
        self.state = ""
        self.stage: Stage = "opening"
        self.return_to: str | None = None
        self.turn_index = 0
        self.outcome: Outcome | None = None
        self._line: ManagerLine | None = None

    # The turn ------------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self.outcome is not None

    @property
    def last_line(self) -> ManagerLine:
        """The manager's latest line (the opening line before any reply)."""
        assert self._line is not None, "a conversation always opens with a manager line"
        return self._line

    def reply(self, text: str) -> Turn:
        """Score `text` at the current stage and answer it. Raises ReplyRejectedError for an
        empty or over-long reply (nothing changes) and ConversationOverError after the end."""
        if self.ended:
            raise ConversationOverError(f"the meeting is over (outcome: {self.outcome})")
        return self.apply(text, score_reply(text, self.stage, self.prepared))

    def apply(self, text: str, score: Score) -> Turn:
        """Answer a reply that has been scored already."""
        if self.ended:
            raise ConversationOverError(f"the meeting is over (outcome: {self.outcome})")
        index = self.turn_index
        self.turn_index += 1
        context = TurnContext(self, score)
        if score.ask is not None:
            self.remember_ask(score.ask)
        self.records.append(self._record(index, text, score))
        self.engine.fire(self, context)
        line = self.last_line
        summary = self.summary() if self.ended else None
        return Turn(index, text, score, line, self.outcome, summary)

    def abandon(self) -> Summary:
        """End the conversation here, with outcome `abandoned` (the user left)."""
        if not self.ended:
            self.outcome = "abandoned"
        return self.summary()

    def summary(self) -> Summary:
        outcome = self.outcome or "abandoned"
        return summarise(outcome, self.records, self.engine.rubric_ids)

    # Called by the engine ---------------------------------------------------------------------

    def enter(self, state: str, came_from: str | None = None) -> None:
        """Say the line of `state` (runs when a transition arrives, never on restore)."""
        spec = self.engine.spec.states[state]
        if spec.interrupt and came_from and not self.engine.spec.states[came_from].interrupt:
            self.return_to = came_from
        self.state = state
        visits = self.visits.get(state, 0) + 1
        self.visits[state] = visits
        line = spec.again if visits > 1 and spec.again is not None else spec.say
        variant = line.variants[pick(self.seed, self.draws, len(line.variants))]
        self.draws += 1
        if spec.ending is not None:
            self.outcome = spec.ending
            stage: Stage = spec.stage or ENDING_STAGE
        elif spec.interrupt:
            stage = self.engine.stage_of(self.return_to) if self.return_to else self.stage
        else:
            stage = spec.stage or self.stage
        self.stage = stage
        text = render(variant, self.placeholder_values())
        self._line = ManagerLine(self.turn_index, text, line.kind, state, stage)
        self.turn_index += 1

    def remember_ask(self, ask: dict[str, Any]) -> None:
        """Keep the figure asked for: as a percentage of salary, and as the user wrote it."""
        self.variables["ask"] = ask_percent(ask, self.variables)
        self.variables["ask_text"] = ask_text(ask)
        self.variables["ask_unit"] = "money" if "amount" in ask else "percent"
        self.variables["ask_currency"] = ask.get("currency")

    def set_counter(self, percent: float) -> None:
        self.variables["counter"] = percent
        salary = self.variables.get("salary")
        if self.variables.get("ask_unit") == "money" and isinstance(salary, int | float):
            amount = round(percent * salary / 100, -2)
            self.variables["counter_text"] = amount_text(amount, self.variables.get("ask_currency"))
        else:
            self.variables["counter_text"] = percent_text(percent)

    def placeholder_values(self) -> dict[str, object]:
        values: dict[str, object] = dict(self.variables)
        values["manager"] = self.engine.spec.manager.name
        values["ask"] = self.variables.get("ask_text") or _percent_or_none(
            self.variables.get("ask")
        )
        values["counter"] = self.variables.get("counter_text") or _percent_or_none(
            self.variables.get("counter")
        )
        values["their_figure"] = self.variables.get("their_figure")
        if self.prepared is not None:
            if self.prepared.figured_accomplishments:
                values["prepared_accomplishment"] = self.prepared.figured_accomplishments[0]
            values["prepared_ask"] = self.prepared.ask
            values["research"] = self.prepared.market_research
            values["alternative"] = self.prepared.best_alternative
        return values

    def _record(self, index: int, text: str, score: Score) -> TurnRecord:
        evidence = score.criteria["quantified_impact"].evidence
        telling = [s for s in evidence if any(c in s.text for c in "%$€£k")] or list(evidence)
        if telling:
            self.variables.setdefault("their_figure", telling[0].text)
        advice = ((item.criterion, item.message) for item in score.feedback)
        return TurnRecord.of_reply(index, score.stage, score.score, score.detected, advice, text)

    # Snapshots ---------------------------------------------------------------------------------

    def snapshot(self, with_records: bool = True) -> dict[str, Any]:
        """The whole conversation as a small JSON-serialisable dict. Without its records (what
        the summary keeps of each reply), for a caller that stores the replies anyway and hands
        their records back to `ScenarioEngine.restore`."""
        snapshot: dict[str, Any] = {
            "scenario": self.engine.spec.id,
            "hash": self.engine.content_hash,
            "state": self.state,
            "stage": self.stage,
            "return_to": self.return_to,
            "variables": dict(self.variables),
            "visits": dict(self.visits),
            "seed": self.seed,
            "draws": self.draws,
            "turn_index": self.turn_index,
            "outcome": self.outcome,
            "line": None if self._line is None else self._line.to_message(),
            "prepared": None if self.prepared is None else self.prepared.model_dump(),
        }
        if with_records:
            snapshot["records"] = [record.to_json() for record in self.records]
        return snapshot

    def load(self, snapshot: dict[str, Any], records: list[TurnRecord]) -> None:
        """Take over a snapshot's state exactly, with its turn records (ScenarioEngine.restore
        reads them from the snapshot or takes them from the caller); no entry callback runs."""
        self.state = snapshot["state"]
        self.stage = snapshot["stage"]
        self.return_to = snapshot["return_to"]
        self.variables = dict(snapshot["variables"])
        self.visits = dict(snapshot["visits"])
        self.draws = snapshot["draws"]
        self.turn_index = snapshot["turn_index"]
        self.outcome = snapshot["outcome"]
        line = snapshot["line"]
        self._line = (
            None
            if line is None
            else ManagerLine(
                line["index"], line["text"], line["kind"], line["state"], line["stage"]
            )
        )
        self.records = records


WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12


def ask_percent(ask: dict[str, Any] | None, variables: dict[str, Any]) -> float | None:
    """The ask as a percentage of annual salary (an amount needs the `salary` variable)."""
    if ask is None:
        return None
    if "percent" in ask:
        return float(ask["percent"])
    if "months_salary" in ask:
        return round(float(ask["months_salary"]) * 100 / MONTHS_PER_YEAR, 2)
    if "weeks_salary" in ask:
        return round(float(ask["weeks_salary"]) * 100 / WEEKS_PER_YEAR, 2)
    salary = variables.get("salary")
    if "amount" in ask and isinstance(salary, int | float) and salary > 0:
        return round(float(ask["amount"]) * 100 / salary, 2)
    return None


def ask_text(ask: dict[str, Any]) -> str:
    """The ask as the user would write it."""
    high = ask.get("high")
    if "percent" in ask:
        text = percent_text(ask["percent"])
        return text if high is None else f"{ask['percent']}-{percent_text(high)}"
    if "amount" in ask:
        text = amount_text(ask["amount"], ask.get("currency"))
        return text if high is None else f"{text}-{amount_text(high, ask.get('currency'))}"
    for key, period in (("months_salary", "month"), ("weeks_salary", "week")):
        if key in ask:
            count = ask[key]
            return f"{count} {period}'s salary" if count == 1 else f"{count} {period}s' salary"
    return "a bonus"


def _percent_or_none(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return percent_text(float(value))
    return None


__all__ = [
    "Conversation",
    "ConversationOverError",
    "ManagerLine",
    "ReplyRejectedError",
    "Turn",
    "TurnContext",
]
