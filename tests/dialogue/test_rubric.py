import pytest

from dialogue import STAGES
from dialogue.detectors import DETECTORS
from dialogue.resources import rubric_file
from dialogue.rubric import Rubric, RubricError, parse_rubric

CONTRACT_CRITERIA = [
    "purpose_stated",
    "requests_meeting",
    "gratitude",
    "quantified_impact",
    "business_impact",
    "technical_credibility",
    "evidence_offered",
    "specific_ask",
    "market_reference",
    "acknowledges_constraints",
    "proposes_alternatives",
    "collaborative_close",
    "recap",
]
CONTRACT_VIOLATIONS = ["ultimatum", "aggressive", "vague_claims", "peer_comparison", "apologetic"]


def test_rubric_holds_exactly_the_contract_ids(rubric: Rubric) -> None:
    assert list(rubric.criteria) == CONTRACT_CRITERIA
    assert list(rubric.violations) == CONTRACT_VIOLATIONS


def test_every_id_has_a_detector(rubric: Rubric) -> None:
    assert set(rubric.ids) <= set(DETECTORS)


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_weights_add_up_to_100(rubric: Rubric, stage: str) -> None:
    assert rubric.stage_total(stage) == 100  # type: ignore[arg-type]


def test_every_criterion_has_feedback_and_a_known_section(rubric: Rubric) -> None:
    for spec in rubric.criteria.values():
        assert spec.definition and spec.feedback.missing and spec.feedback.example
        assert spec.section in rubric.sections
    for vspec in rubric.violations.values():
        assert vspec.penalty > 0 and vspec.feedback.message


def _rubric_text() -> str:
    return rubric_file().read_text(encoding="utf-8")


def test_a_typo_in_a_stage_name_is_an_error_naming_the_key() -> None:
    broken = _rubric_text().replace("{meeting_request: 45}", "{meeting_reqest: 45}")
    with pytest.raises(RubricError) as excinfo:
        parse_rubric(broken, "broken.yaml")
    assert "broken.yaml" in str(excinfo.value)
    assert "requests_meeting" in str(excinfo.value)
    assert "meeting_reqest" in str(excinfo.value)


def test_an_unknown_section_is_an_error() -> None:
    broken = _rubric_text().replace("section: pushback", "section: pushbak", 1)
    with pytest.raises(RubricError, match="pushbak"):
        parse_rubric(broken)


def test_an_unexpected_key_is_refused() -> None:
    broken = _rubric_text().replace("    penalty: 40", "    penalty: 40\n    severity: high", 1)
    with pytest.raises(RubricError, match="severity"):
        parse_rubric(broken)


def test_broken_yaml_is_reported_with_the_source() -> None:
    with pytest.raises(RubricError, match=r"x\.yaml: not valid YAML"):
        parse_rubric("criteria: [unclosed", "x.yaml")
