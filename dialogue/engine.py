"""A scenario compiled into one `transitions` machine, shared by all of its conversations.

The machine is built with `model=None`: conversations are never added to it (add_model keeps a
reference to every model it was given). A turn fires the machine's single `reply` event for one
conversation directly, the way the transitions FAQ shares a machine between many models, so
memory does not grow with the conversations ever played.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from transitions import EventData, Machine, State

from dialogue.conversation import Conversation, TurnContext
from dialogue.prepared import Prepared
from dialogue.rubric import load_rubric
from dialogue.rules import ACTIONS, CONDITIONS
from dialogue.scenario_check import BACK, predecessors, rules_of
from dialogue.scenario_model import ScenarioSpec
from dialogue.stages import Stage
from dialogue.summary import TurnRecord

TRIGGER: Final = "reply"


class SnapshotError(ValueError):
    """A snapshot that cannot be resumed with this scenario."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _condition(name: str, arg: Any) -> Callable[[EventData], bool]:
    rule = CONDITIONS[name]
    parsed = rule.parse(arg)

    def check(event: EventData) -> bool:
        return bool(rule.func(_context(event), parsed))

    check.__name__ = f"{name}={arg!r}"
    return check


def _action(name: str, arg: Any) -> Callable[[EventData], None]:
    rule = ACTIONS[name]
    parsed = rule.parse(arg)

    def run(event: EventData) -> None:
        rule.func(_context(event), parsed)

    run.__name__ = f"{name}={arg!r}"
    return run


def _transition(source: str, dest: str, conditions: list[Any], before: list[Any]) -> dict[str, Any]:
    return {
        "trigger": TRIGGER,
        "source": source,
        "dest": dest,
        "conditions": conditions,
        "before": before,
    }


def _context(event: EventData) -> TurnContext:
    context = next(iter(event.args))
    assert isinstance(context, TurnContext)
    return context


def _conversation(event: EventData) -> Conversation:
    assert isinstance(event.model, Conversation)
    return event.model


def _came_from(state: str, event: EventData) -> bool:
    return _conversation(event).return_to == state


class ScenarioEngine:
    """One scenario, ready to play: its spec, its machine, and how to start or resume."""

    def __init__(self, spec: ScenarioSpec, source: str, text_hash: str) -> None:
        self.spec = spec
        self.source = source
        self.content_hash = text_hash
        rubric = load_rubric()
        self.rubric_ids = rubric.ids
        self.violation_ids = frozenset(rubric.violations)
        self.machine = Machine(
            model=None,
            states=[State(name, on_enter=[self._on_enter]) for name in spec.states],
            transitions=self._transitions(),
            initial=spec.start,
            auto_transitions=False,
            send_event=True,
        )
        self._event = self.machine.events[TRIGGER]

    # Building ------------------------------------------------------------------------------

    def _transitions(self) -> list[dict[str, Any]]:
        transitions: list[dict[str, Any]] = []
        for state in self.spec.states:
            for rule in rules_of(self.spec, state):
                conditions = [_condition(name, arg) for name, arg in rule.when.items()]
                before = [_action(name, arg) for name, arg in rule.do.items()]
                if rule.to != BACK:
                    transitions.append(_transition(state, rule.to, conditions, before))
                    continue
                # `$back` answers the reply as the interrupted state would: its own rules.
                for interrupted in predecessors(self.spec, state):
                    came_from = [partial(_came_from, interrupted)]
                    for inner in self.spec.states[interrupted].on:
                        inner_conditions = [_condition(n, a) for n, a in inner.when.items()]
                        inner_before = [_action(n, a) for n, a in inner.do.items()]
                        transitions.append(
                            _transition(
                                state,
                                inner.to,
                                came_from + conditions + inner_conditions,
                                before + inner_before,
                            )
                        )
        return transitions

    # Playing -------------------------------------------------------------------------------

    def _on_enter(self, event: EventData) -> None:
        source = event.transition.source if event.transition is not None else None
        _conversation(event).enter(event.state.name, came_from=source)

    def fire(self, conversation: Conversation, context: TurnContext) -> None:
        """Move `conversation` along the first rule of its state whose conditions hold."""
        if not self._event.trigger(conversation, context):
            state = conversation.state
            raise RuntimeError(f"{self.spec.id}: no rule of state {state!r} applies")

    def stage_of(self, state: str) -> Stage:
        spec = self.spec.states[state]
        return spec.stage or "close"

    def new_conversation(
        self,
        seed: int | None = None,
        start: str | None = None,
        prepared: Prepared | None = None,
    ) -> Conversation:
        """A conversation that opens with the manager's line at `start` (default: the start)."""
        first = start or self.spec.start
        self.check_start(first)
        variables: dict[str, Any] = dict(self.spec.variables)
        for drill in self.spec.drills:
            if drill.state == first:
                variables.update(drill.variables)
        chosen_seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        conversation = Conversation(self, chosen_seed, variables, prepared)
        if "ask" in variables:
            conversation.remember_ask({"percent": variables["ask"]})
        if "counter" in variables and isinstance(variables["counter"], int | float):
            conversation.set_counter(float(variables["counter"]))
        conversation.enter(first)
        return conversation

    def check_start(self, state: str) -> None:
        known = self.spec.states
        if state not in known:
            raise ValueError(
                f"unknown state {state!r} in scenario {self.spec.id!r} (known: {', '.join(known)})"
            )
        spec = known[state]
        if spec.ending is not None or spec.interrupt:
            raise ValueError(f"cannot start at {state!r}: it is an ending or an interrupt")

    def restore(
        self, snapshot: dict[str, Any], records: list[TurnRecord] | None = None
    ) -> Conversation:
        """Resume a snapshot exactly (no entry callback runs). `records`: the turn records of a
        snapshot taken without them (Conversation.snapshot(with_records=False))."""
        if snapshot.get("scenario") != self.spec.id:
            raise SnapshotError(
                f"snapshot of scenario {snapshot.get('scenario')!r}, not {self.spec.id!r}"
            )
        if snapshot.get("hash") != self.content_hash:
            named = {snapshot["state"], *snapshot["visits"], snapshot.get("return_to")} - {None}
            missing = sorted(str(name) for name in named if name not in self.spec.states)
            if missing:
                raise SnapshotError(
                    f"scenario {self.spec.id!r} changed since this snapshot and no longer has "
                    f"state(s) {', '.join(map(repr, missing))}: start a new conversation"
                )
        prepared_raw = snapshot.get("prepared")
        prepared = Prepared.model_validate(prepared_raw) if prepared_raw else None
        stored = snapshot.get("records")  # a snapshot's own records win
        if stored is not None:
            records = [TurnRecord.from_json(raw) for raw in stored]
        elif records is None:
            raise SnapshotError("a snapshot taken without its turn records needs them back")
        conversation = Conversation(self, snapshot["seed"], {}, prepared)
        conversation.load(snapshot, records)
        return conversation
