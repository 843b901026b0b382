"""The score frame composed from stored JSON parts says exactly what score_frame() says."""

from __future__ import annotations

import json

import pytest

from dialogue import score_reply
from server.json_text import json_text
from server.transcripts import SCORE_PARTS, score_frame, score_frame_text

REPLIES = [
    ("I rebuilt the ranking model; click-through rose 12%, about $400k a year.", "accomplishments"),
    ("I'd like a bonus of 8%, in line with market data for my level.", "ask"),
    ('Quotes " and \\ backslashes, tabs\tand newlines\nand “unicode” – all survive.', "opening"),
]


@pytest.mark.parametrize(("text", "stage"), REPLIES)
def test_composed_score_frame_equals_the_dict_frame(text: str, stage: str) -> None:
    score = score_reply(text, stage).to_json()
    user = {"index": 3, "text": text, **score}
    parts = {name: json_text(score[name]) for name in SCORE_PARTS}
    composed = score_frame_text(3, text, score["stage"], score["score"], parts)
    assert "\t" not in composed and "\n" not in composed  # the turn process's line format
    assert json.loads(composed) == score_frame(user)
    assert list(json.loads(composed)) == list(score_frame(user))  # same keys, same order
