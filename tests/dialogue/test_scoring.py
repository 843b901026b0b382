from typing import Any

import pytest

from dialogue import MAX_REPLY_CHARS, STAGES, Prepared, ReplyRejectedError, score_reply
from dialogue.rubric import Rubric

OPENING = (
    "Thank you for taking the time to meet with me. I wanted to review my performance over the "
    "past year and discuss the possibility of a performance-based bonus."
)
ACCOMPLISHMENTS = (
    "With better feature engineering the churn model's precision rose 15%, which cut customer "
    "churn by 5% - about $50,000 a year in revenue. It's all in the report I attached."
)


def as_json(text: str, stage: str | None = None, **kwargs: Any) -> dict[str, Any]:
    return score_reply(text, stage, **kwargs).to_json()


def test_the_json_has_every_contract_field(rubric: Rubric) -> None:
    result = as_json(OPENING, "opening")
    assert {"detected", "criteria", "score", "tone", "ask", "feedback"} <= set(result)
    assert set(result["criteria"]) == set(rubric.ids)
    for entry in result["criteria"].values():
        assert isinstance(entry["met"], bool)
        assert isinstance(entry["evidence"], list)
    assert 0 <= result["score"] <= 100
    assert -1 <= result["tone"] <= 1


def test_evidence_spans_are_code_point_offsets_into_the_reply() -> None:
    text = "🙂 Thanks — I’d like to discuss a performance-based bonus. Ünïcode first: 🎉"
    result = as_json(text, "opening")
    assert result["detected"]
    for entry in result["criteria"].values():
        for span in entry["evidence"]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert span["start"] < span["end"]


def test_detected_lists_exactly_the_met_ids() -> None:
    result = as_json(ACCOMPLISHMENTS, "accomplishments")
    met = [cid for cid, entry in result["criteria"].items() if entry["met"]]
    assert result["detected"] == met
    assert {"quantified_impact", "business_impact", "technical_credibility"} <= set(met)
    assert "evidence_offered" in met


def test_the_guide_opening_scores_full_marks_at_the_opening() -> None:
    result = as_json(OPENING, "opening")
    assert result["score"] == 100
    assert result["feedback"] == []


def test_stage_weights_decide_the_score() -> None:
    at_opening = as_json(ACCOMPLISHMENTS, "opening")["score"]
    at_accomplishments = as_json(ACCOMPLISHMENTS, "accomplishments")["score"]
    assert at_accomplishments > at_opening


def test_violations_take_points_off() -> None:
    polite = as_json("I'd like a bonus of 10%, in line with market data for my level.", "ask")
    threat = as_json(
        "I'd like a bonus of 10%, in line with market data for my level, or I'll quit.", "ask"
    )
    assert "ultimatum" in threat["detected"]
    assert threat["score"] < polite["score"]
    assert threat["feedback"][0]["criterion"] == "ultimatum"


def test_feedback_names_the_missing_criterion_and_the_guide_section() -> None:
    result = as_json("I'd like a bonus.", "ask")
    missed = [item["criterion"] for item in result["feedback"]]
    assert missed[0] == "specific_ask"  # the heaviest missing criterion comes first
    assert all(item["section"] and item["message"] for item in result["feedback"])


def test_feedback_uses_the_users_own_figure() -> None:
    result = as_json("My model's precision went up 15%.", "accomplishments")
    business = [i for i in result["feedback"] if i["criterion"] == "business_impact"]
    assert "15%" in business[0]["message"]


def test_without_a_stage_the_best_fitting_stage_is_used() -> None:
    result = as_json(OPENING)
    assert result["stage"] == "opening"
    assert result["stage_inferred"] is True
    assert as_json(OPENING, "opening")["stage_inferred"] is False


def test_ask_is_null_without_a_specific_figure() -> None:
    assert as_json("I'd like a bonus.", "ask")["ask"] is None
    assert as_json("I'd like a bonus of 9%.", "ask")["ask"] == {"percent": 9}


def test_an_ask_outside_the_users_researched_range_is_pointed_out() -> None:
    prepared = Prepared(market_research="Levels.fyi shows 8-12% for my level", ask="10%")
    result = as_json("I'd like a bonus of 20%.", "ask", prepared=prepared)
    notes = [i["message"] for i in result["feedback"] if "research" in i["message"]]
    assert notes and "20%" in notes[0] and "8-12%" in notes[0]
    inside = as_json("I'd like a bonus of 11%.", "ask", prepared=prepared)
    assert not [i for i in inside["feedback"] if "your own research" in i["message"]]


def test_asking_below_the_planned_figure_is_pointed_out() -> None:
    prepared = Prepared(ask="12% of base")
    result = as_json("Would 8% be possible as a bonus?", "ask", prepared=prepared)
    assert any("12%" in i["message"] and "8%" in i["message"] for i in result["feedback"])


def test_prepared_accomplishments_feed_the_advice() -> None:
    prepared = Prepared(accomplishments=["Cut fraud losses 18% ($420k a year)"])
    result = as_json("I worked really hard this year.", "accomplishments", prepared=prepared)
    quantified = [i for i in result["feedback"] if i["criterion"] == "quantified_impact"]
    assert "Cut fraud losses 18%" in quantified[0]["message"]


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n"])
def test_empty_text_is_rejected_as_empty(text: str) -> None:
    with pytest.raises(ReplyRejectedError) as excinfo:
        score_reply(text)
    assert excinfo.value.code == "empty"


def test_text_over_the_limit_is_rejected_as_too_long() -> None:
    score_reply("a" * MAX_REPLY_CHARS)
    with pytest.raises(ReplyRejectedError) as excinfo:
        score_reply("a" * (MAX_REPLY_CHARS + 1))
    assert excinfo.value.code == "too_long"
    assert str(MAX_REPLY_CHARS) in excinfo.value.message


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour votre temps, je voudrais discuter d'une prime.",
        "🙂🙂🙂",
        "<b>bonus</b> <script>alert(1)</script>",
        "12345",
        "ok",
        "\x00\x01 control characters",
    ],
)
@pytest.mark.parametrize("stage", [None, *STAGES])
def test_anything_else_is_scored(text: str, stage: str | None) -> None:
    result = as_json(text, stage)
    assert 0 <= result["score"] <= 100
