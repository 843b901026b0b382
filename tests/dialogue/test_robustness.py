"""Random and pathological text never breaks the scorer: a valid Score or empty/too_long."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue import MAX_REPLY_CHARS, STAGES, ReplyRejectedError, score_reply
from dialogue.rubric import load_rubric

IDS = set(load_rubric().ids)

# Pieces that stress the patterns: numbers, separators, currency, cue words, repetition.
FRAGMENTS = [
    "1", "1,", "1.", ",000", "$", "€", "%", "k", " to ", " - ", "-", "bonus", "from ", "by ",
    "I'll ", "if ", "unless ", "or ", "thanks ", "sorry ", "a/b ", "edge ", "case", "drift ",
    "hyper", "param", " ", "\n", ".", "!", "?", "'", "ALL CAPS ", "you ", "need to ", "a lot ",
    "revisit ", "next ", "q1 ", "discuss ", "my ", "performance ", "market ", "data ",
]  # fmt: skip


def check(text: str, stage: str | None) -> None:
    try:
        result = score_reply(text, stage).to_json()
    except ReplyRejectedError as exc:
        assert exc.code in ("empty", "too_long")
        assert (not text.strip()) or len(text) > MAX_REPLY_CHARS
        return
    assert set(result["criteria"]) == IDS
    assert 0 <= result["score"] <= 100
    assert -1 <= result["tone"] <= 1
    for entry in result["criteria"].values():
        for span in entry["evidence"]:
            assert text[span["start"] : span["end"]] == span["text"]


stages = st.sampled_from([None, *STAGES])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=MAX_REPLY_CHARS + 50), stages)
def test_random_text(text: str, stage: str | None) -> None:
    check(text, stage)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=400).map("".join), stages)
def test_pathological_text(text: str, stage: str | None) -> None:
    check(text[: MAX_REPLY_CHARS + 10], stage)


def test_repetitive_inputs_at_the_limit() -> None:
    for piece in ["1", "1,", "$1", "a ", "I'll ", "if ", "you ", "AB ", "...", "-", "1%-", "!?"]:
        text = (piece * MAX_REPLY_CHARS)[:MAX_REPLY_CHARS]
        check(text, "ask")
