"""The scorer against the labelled replies: the figures the README reports."""

import pytest

from dialogue import STAGES
from dialogue.rubric import Rubric
from tests.scorer_eval import HELDOUT, TUNING, evaluate, load_set

MIN_TUNING_MACRO_F1 = 0.90
MIN_HELDOUT_MACRO_F1 = 0.80


def test_the_labelled_set_is_large_and_covers_every_id(rubric: Rubric) -> None:
    items = load_set(TUNING) + load_set(HELDOUT)
    assert len(items) >= 250
    for cid in rubric.ids:
        positives = sum(cid in item["labels"] for item in items)
        assert positives >= 15, f"{cid} has only {positives} positive examples"


def test_labels_use_only_known_ids_and_stages(rubric: Rubric) -> None:
    for item in load_set(TUNING) + load_set(HELDOUT):
        assert set(item["labels"]) <= set(rubric.ids), item
        assert item["stage"] in STAGES, item


def test_the_two_parts_do_not_share_replies() -> None:
    tuning = {item["text"] for item in load_set(TUNING)}
    heldout = {item["text"] for item in load_set(HELDOUT)}
    assert not tuning & heldout


@pytest.mark.parametrize(
    ("path", "floor"), [(TUNING, MIN_TUNING_MACRO_F1), (HELDOUT, MIN_HELDOUT_MACRO_F1)]
)
def test_macro_f1(path: object, floor: float) -> None:
    report = evaluate(path)  # type: ignore[arg-type]
    assert report.macro_f1 >= floor, f"{report.name}: macro-F1 {report.macro_f1:.3f} < {floor}"
