"""The scoring rubric: criteria, their stage weights and feedback, loaded from YAML data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from dialogue.resources import rubric_file
from dialogue.stages import STAGES, Stage

CriterionKind = Literal["criterion", "violation"]


class RubricError(ValueError):
    """The rubric file is missing, unreadable or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionFeedback(_Strict):
    good: str
    missing: str
    example: str


class ViolationFeedback(_Strict):
    message: str
    example: str


class CriterionSpec(_Strict):
    definition: str
    section: str
    weights: dict[Stage, int] = Field(default_factory=dict)
    feedback: CriterionFeedback


class ViolationSpec(_Strict):
    definition: str
    section: str
    penalty: int = Field(ge=0, le=100)
    feedback: ViolationFeedback


@dataclass(frozen=True)
class StageWeights:
    """What one stage rewards: each criterion's weight, their sum, and the criteria by weight
    (heaviest first; the file's order among equals) for feedback."""

    weights: Mapping[str, int]  # shared by every reply: read-only
    total: int
    heaviest_first: tuple[str, ...]


class Rubric(_Strict):
    """The whole rubric; `criteria` and `violations` keep the file's order."""

    format: Literal[1]
    sections: dict[str, str]
    criteria: dict[str, CriterionSpec]
    violations: dict[str, ViolationSpec]

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        sections = {cid: spec.section for cid, spec in self.criteria.items()}
        sections.update((vid, spec.section) for vid, spec in self.violations.items())
        for cid, section in sections.items():
            if section not in self.sections:
                raise ValueError(
                    f"{cid}.section: unknown section {section!r} "
                    f"(known: {', '.join(self.sections)})"
                )
        clash = set(self.criteria) & set(self.violations)
        if clash:
            raise ValueError(f"ids used as both criterion and violation: {sorted(clash)}")
        return self

    # Computed once: every reply asks for them several times. (A cached_property lands in the
    # instance's dictionary, where reading it is a plain lookup; pydantic's private attributes
    # go through its __getattr__, ~1.5 us a read.)
    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Every criterion id, then every violation id."""
        return (*self.criteria, *self.violations)

    @cached_property
    def by_stage(self) -> dict[Stage, StageWeights]:
        """Each stage's weights (see StageWeights)."""
        found: dict[Stage, StageWeights] = {}
        for stage in STAGES:
            weights = {
                cid: spec.weights[stage]
                for cid, spec in self.criteria.items()
                if stage in spec.weights
            }
            heaviest = tuple(sorted(weights, key=lambda c: -weights[c]))
            found[stage] = StageWeights(MappingProxyType(weights), sum(weights.values()), heaviest)
        return found

    def kind(self, cid: str) -> CriterionKind:
        return "violation" if cid in self.violations else "criterion"

    def section_of(self, cid: str) -> str:
        spec = self.criteria.get(cid) or self.violations[cid]
        return spec.section

    def stage_total(self, stage: Stage) -> int:
        return self.by_stage[stage].total


def parse_rubric(text: str, source: str = "rubric.yaml") -> Rubric:
    """Parse and validate rubric YAML; errors name the source and the offending key."""
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        raise RubricError(f"{source}: not valid YAML: {exc}") from exc
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise RubricError(f"{source}: {problems}") from exc
    for stage in STAGES:
        if rubric.stage_total(stage) <= 0:
            raise RubricError(f"{source}: stage {stage!r} has no weighted criterion")
    return rubric


@cache
def load_rubric() -> Rubric:
    """The built-in rubric (parsed once per process)."""
    source = rubric_file()
    return parse_rubric(source.read_text(encoding="utf-8"), "scenarios/rubric.yaml")
