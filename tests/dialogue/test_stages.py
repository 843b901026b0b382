import pytest

from dialogue import STAGES, UnknownStageError, parse_stage


def test_the_script_has_eight_stages_in_order() -> None:
    assert STAGES == (
        "meeting_request",
        "opening",
        "accomplishments",
        "ask",
        "reaction",
        "pushback",
        "close",
        "follow_up",
    )


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_parses(stage: str) -> None:
    assert parse_stage(stage) == stage


@pytest.mark.parametrize("bad", ["closng", "", "ASK", None, 3])
def test_unknown_stage_names_it_and_lists_the_known_ones(bad: object) -> None:
    with pytest.raises(UnknownStageError) as excinfo:
        parse_stage(bad)
    message = str(excinfo.value)
    assert repr(bad) in message
    for stage in STAGES:
        assert stage in message
