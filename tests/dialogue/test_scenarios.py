"""Every shipped scenario: loads clean, covers the kinds, reaches its outcomes, replays exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue.kinds import KINDS
from dialogue.resources import builtin_scenarios
from dialogue.scenario_loader import ScenarioLibrary, load_file, load_library, scenario_files
from tests.golden_tool import check, golden_files, play, read
from tests.scorer_eval import HELDOUT, TUNING, load_set

SCENARIO_FILES = scenario_files(Path(str(builtin_scenarios())))
GOLDEN_FILES = golden_files()
MAX_TURNS = 60


@pytest.fixture(scope="module")
def library() -> ScenarioLibrary:
    loaded = load_library([])
    assert loaded.problems == []
    return loaded


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_scenario_loads_without_errors_or_warnings(path: Path) -> None:
    engine, problems = load_file(path)
    assert engine is not None and problems == [], [str(p) for p in problems]
    assert engine.spec.id == path.stem


def test_there_are_at_least_six_scenarios(library: ScenarioLibrary) -> None:
    assert len(library.engines) >= 6


def test_together_the_scenarios_use_every_response_kind(library: ScenarioLibrary) -> None:
    used = {
        line.kind
        for engine in library.engines.values()
        for state in engine.spec.states.values()
        for line in (state.say, state.again)
        if line is not None
    }
    assert used == set(KINDS)


def _golden_outcomes() -> dict[str, set[str]]:
    outcomes: dict[str, set[str]] = {}
    for path in GOLDEN_FILES:
        golden = read(path)
        outcomes.setdefault(golden["scenario"], set()).add(golden["outcome"])
    return outcomes


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_each_scenario_reaches_several_outcomes_by_what_the_user_does(path: Path) -> None:
    reached = _golden_outcomes().get(path.stem, set())
    assert len(reached) >= 3, f"{path.stem}: golden transcripts reach only {sorted(reached)}"
    assert {"granted", "walked_out"} <= reached, f"{path.stem}: {sorted(reached)}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_each_scenario_offers_a_drill(path: Path, library: ScenarioLibrary) -> None:
    engine = library.get(path.stem)
    assert engine.spec.drills
    for drill in engine.spec.drills:
        conversation = engine.new_conversation(seed=1, start=drill.state)
        assert conversation.last_line.state == drill.state


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.stem for p in GOLDEN_FILES])
def test_golden_transcript_replays_state_by_state(path: Path, library: ScenarioLibrary) -> None:
    assert check(path, library) == []


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.stem for p in GOLDEN_FILES])
def test_snapshot_and_restore_at_every_turn_changes_nothing(
    path: Path, library: ScenarioLibrary
) -> None:
    golden = read(path)
    straight = play(golden, library)
    engine = library.get(golden["scenario"])
    conversation = engine.new_conversation(seed=golden["seed"], start=golden.get("start"))
    lines = [conversation.last_line.text]
    for text in golden["replies"]:
        conversation = engine.restore(json.loads(json.dumps(conversation.snapshot())))
        lines.append(conversation.reply(text).manager.text)
    assert lines == [turn["manager"] for turn in straight["transcript"]]
    assert conversation.outcome == straight["outcome"]


REPLY_POOL = [item["text"] for item in load_set(TUNING) + load_set(HELDOUT)]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_random_replies_always_reach_an_ending(path: Path, library: ScenarioLibrary) -> None:
    engine = library.get(path.stem)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        seed=st.integers(0, 2**31 - 1),
        replies=st.lists(
            st.one_of(st.sampled_from(REPLY_POOL), st.text(min_size=1, max_size=80)),
            min_size=MAX_TURNS,
            max_size=MAX_TURNS,
        ),
    )
    def play_randomly(seed: int, replies: list[str]) -> None:
        conversation = engine.new_conversation(seed=seed)
        for text in replies:
            if conversation.ended:
                break
            if not text.strip():
                continue
            turn = conversation.reply(text)
            assert turn.manager.state in engine.spec.states
            assert turn.manager.kind in KINDS
        assert conversation.ended, f"no ending after {MAX_TURNS} replies: {conversation.state}"

    play_randomly()
