"""The engine on the supportive scenario: determinism, drills, snapshots, the shared machine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dialogue import ReplyRejectedError
from dialogue.conversation import ConversationOverError
from dialogue.engine import ScenarioEngine, SnapshotError
from dialogue.resources import builtin_scenarios
from dialogue.scenario_loader import load_library, parse_scenario

GOOD = [
    "Hi Priya, could we book 30 minutes on Thursday to discuss my performance and a bonus?",
    "Thanks for making time. I wanted to discuss a performance-based bonus.",
    "I cut churn by 3% with the new model, about $600k a year in revenue.",
    "I'd like a bonus of 8%, in line with market data for my level.",
]


@pytest.fixture(scope="module")
def engine() -> ScenarioEngine:
    return load_library().get("supportive")


def lines(engine: ScenarioEngine, seed: int, replies: list[str]) -> list[tuple[str, str]]:
    conversation = engine.new_conversation(seed=seed)
    said = [(conversation.last_line.state, conversation.last_line.text)]
    for text in replies:
        turn = conversation.reply(text)
        said.append((turn.manager.state, turn.manager.text))
    return said


def test_same_seed_and_replies_same_conversation(engine: ScenarioEngine) -> None:
    assert lines(engine, 7, GOOD) == lines(engine, 7, GOOD)


def test_seeds_vary_the_wording_not_the_path(engine: ScenarioEngine) -> None:
    runs = [lines(engine, seed, GOOD) for seed in range(12)]
    assert len({tuple(t for _, t in run) for run in runs}) > 1
    assert len({tuple(s for s, _ in run) for run in runs}) == 1


def test_every_conversation_opens_with_a_manager_line(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    line = conversation.last_line
    assert line.index == 0 and line.kind == "narration" and line.stage == "meeting_request"


def test_turn_indexes_alternate_manager_and_user(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    first = conversation.reply(GOOD[0])
    second = conversation.reply(GOOD[1])
    assert (first.index, first.manager.index, second.index, second.manager.index) == (1, 2, 3, 4)


def test_the_reply_is_scored_at_the_current_stage(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    assert conversation.reply(GOOD[0]).score.stage == "meeting_request"
    assert conversation.reply(GOOD[1]).score.stage == "opening"


def test_the_figure_asked_for_fills_the_lines(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1, start="clarify_ask")
    turn = conversation.reply("I'd like a bonus of 14%.")
    assert turn.manager.state == "counter"
    assert "14%" in turn.manager.text and "6%" in turn.manager.text
    assert conversation.variables["ask"] == 14


def test_an_amount_is_read_against_the_salary(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1, start="clarify_ask")
    turn = conversation.reply("I'd like a bonus of $12,000.")  # 8% of 150,000
    assert turn.manager.state == "granted_close"
    assert "$12,000" in turn.manager.text


def test_a_drill_starts_at_its_state_with_its_variables(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1, start="counter")
    assert conversation.last_line.state == "counter"
    assert conversation.last_line.kind == "counter_offer"
    assert "14%" in conversation.last_line.text  # the drill's ask


def test_starting_at_an_unknown_state_lists_the_known_ones(engine: ScenarioEngine) -> None:
    with pytest.raises(ValueError, match=r"unknown state 'closng'.*counter"):
        engine.new_conversation(start="closng")
    with pytest.raises(ValueError, match="ending"):
        engine.new_conversation(start="granted")


def test_a_rejected_reply_changes_nothing(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    before = conversation.snapshot()
    with pytest.raises(ReplyRejectedError):
        conversation.reply("   ")
    assert conversation.snapshot() == before


def test_hostility_cools_the_manager_then_ends_the_meeting(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    conversation.reply(GOOD[0])
    cooled = conversation.reply("This is ridiculous, you never listen to me.")
    assert cooled.manager.kind == "cool_down" and cooled.manager.stage == "opening"
    back = conversation.reply("Sorry. I wanted to discuss my performance and a bonus.")
    assert back.manager.state in {"opening", "accomplishments"}
    ended = conversation.reply("Give me 20% or I quit.")
    assert ended.outcome == "walked_out" and ended.summary is not None
    with pytest.raises(ConversationOverError):
        conversation.reply("wait")


def test_abandoning_gives_a_summary(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    conversation.reply(GOOD[0])
    summary = conversation.abandon()
    assert summary.outcome == "abandoned" and summary.turns == 1
    assert summary.best is not None and summary.best["turn"] == 1


def test_snapshot_is_small_json_and_restores_exactly(engine: ScenarioEngine) -> None:
    straight = engine.new_conversation(seed=9)
    resumed = engine.new_conversation(seed=9)
    for text in GOOD:
        expected = straight.reply(text)
        snapshot = json.loads(json.dumps(resumed.snapshot()))
        resumed = engine.restore(snapshot)
        got = resumed.reply(text)
        assert (got.manager, got.score.score) == (expected.manager, expected.score.score)
    assert len(json.dumps(resumed.snapshot())) < 4000


def test_a_snapshot_without_records_restores_with_them_handed_back(
    engine: ScenarioEngine,
) -> None:
    """The server stores each reply's record in its turn row, not in the snapshot."""
    straight = engine.new_conversation(seed=4)
    resumed = engine.new_conversation(seed=4)
    for text in GOOD:
        straight.reply(text)
        records = [*resumed.records]
        bare = json.loads(json.dumps(resumed.snapshot(with_records=False)))
        assert "records" not in bare
        resumed = engine.restore(bare, records)
        resumed.reply(text)
    assert resumed.abandon() == straight.abandon()
    with pytest.raises(SnapshotError, match="without its turn records"):
        engine.restore(resumed.snapshot(with_records=False))


def test_restore_does_not_run_entry_callbacks(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=3)
    conversation.reply(GOOD[0])
    snapshot = conversation.snapshot()
    restored = engine.restore(snapshot)
    assert restored.visits == conversation.visits
    assert restored.draws == conversation.draws
    assert restored.last_line == conversation.last_line


def test_a_snapshot_of_another_scenario_is_refused(engine: ScenarioEngine) -> None:
    snapshot = engine.new_conversation(seed=1).snapshot()
    with pytest.raises(SnapshotError, match="scenario 'other'"):
        engine.restore({**snapshot, "scenario": "other"})


def _changed(engine: ScenarioEngine, old: str, new: str) -> ScenarioEngine:
    text = (builtin_scenarios() / "supportive.yaml").read_text(encoding="utf-8")
    changed, problems = parse_scenario(text.replace(old, new), "changed.yaml")
    assert changed is not None, problems
    return changed


def test_a_changed_scenario_resumes_when_its_states_still_exist(engine: ScenarioEngine) -> None:
    snapshot = engine.new_conversation(seed=1).snapshot()
    reworded = _changed(engine, "Come in, grab a seat.", "Come in, sit down.")
    assert reworded.content_hash != engine.content_hash
    assert reworded.restore(snapshot).state == "request"


def test_a_changed_scenario_without_the_state_is_refused(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1, start="data_probe")
    renamed = _changed(engine, "data_probe", "numbers_please")
    with pytest.raises(SnapshotError, match=r"no longer has state.*'data_probe'"):
        renamed.restore(conversation.snapshot())


def test_the_machine_keeps_no_conversation(engine: ScenarioEngine) -> None:
    conversations = [engine.new_conversation(seed=s) for s in range(50)]
    for conversation in conversations:
        conversation.reply(GOOD[0])
    assert engine.machine.models == []


def test_summary_weighs_turns_and_counts_criteria(engine: ScenarioEngine) -> None:
    conversation = engine.new_conversation(seed=1)
    for text in GOOD:
        conversation.reply(text)
    summary: dict[str, Any] = conversation.summary().to_json()
    assert summary["turns"] == 4
    assert summary["criteria"]["purpose_stated"] >= 2
    assert 0 <= summary["score"] <= 100
    assert summary["best"]["score"] >= summary["weakest"]["score"]
    assert len(summary["advice"]) <= 3
