"""Tone orders texts as people rank them by politeness."""

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from dialogue.tone import tone_of

DATA = Path(__file__).parent.parent / "data"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def concordance(groups: list[dict[str, Any]]) -> tuple[float, int]:
    """Share of ranked pairs the tone puts in the people's order, and the count of reversals."""
    agree = total = reversed_pairs = 0
    for group in groups:
        tones = [tone_of(text) for text in group["ranked"]]
        for politer, ruder in combinations(tones, 2):
            total += 1
            agree += politer > ruder
            reversed_pairs += politer < ruder
    return agree / total, reversed_pairs


@pytest.mark.parametrize(
    ("name", "floor", "max_reversed"),
    [("tone_ranked.json", 0.95, 0), ("tone_heldout.json", 0.85, 6)],
)
def test_tone_orders_ranked_texts_like_people_do(
    name: str, floor: float, max_reversed: int
) -> None:
    share, reversed_pairs = concordance(load(name)["groups"])
    assert share >= floor
    assert reversed_pairs <= max_reversed


def test_the_ends_of_every_ranking_are_in_order() -> None:
    for name in ("tone_ranked.json", "tone_heldout.json"):
        for group in load(name)["groups"]:
            assert tone_of(group["ranked"][0]) > tone_of(group["ranked"][-1]), group["topic"]


def test_subtle_pairs() -> None:
    for pair in load("tone_ranked.json")["pairs"]:
        assert tone_of(pair["politer"]) > tone_of(pair["ruder"]), pair


def test_plain_statements_are_near_neutral() -> None:
    for name in ("tone_ranked.json", "tone_heldout.json"):
        for text in load(name)["neutral"]:
            assert -0.35 <= tone_of(text) <= 0.5, text


def test_tone_is_bounded() -> None:
    assert tone_of("thank you so much, I really appreciate it, please, kindly " * 20) <= 1
    assert tone_of("YOU IDIOT!!! THIS IS RIDICULOUS BS, I QUIT OR ELSE " * 20) >= -1
