"""Score one reply against the rubric: what it met, what it broke, and what to do next time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialogue.analysis import Analysis
from dialogue.detectors import DETECTORS
from dialogue.errors import check_reply_text
from dialogue.feedback import FeedbackItem, feedback_for, strengths_for
from dialogue.prepared import Prepared
from dialogue.rubric import Rubric, load_rubric
from dialogue.spans import Span
from dialogue.stages import STAGES, Stage, parse_stage
from dialogue.tone import tone_of


@dataclass(frozen=True, slots=True)
class CriterionResult:
    met: bool
    evidence: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Score:
    """The scorer's judgement of one reply at one stage."""

    stage: Stage
    stage_inferred: bool
    score: int
    criteria: dict[str, CriterionResult]
    tone: float
    ask: dict[str, Any] | None
    feedback: list[FeedbackItem] = field(default_factory=list)
    strengths: list[FeedbackItem] = field(default_factory=list)

    @property
    def detected(self) -> list[str]:
        """Ids of every criterion met and every violation present, in rubric order."""
        return [cid for cid, result in self.criteria.items() if result.met]

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "stage_inferred": self.stage_inferred,
            "score": self.score,
            "detected": self.detected,
            "criteria": {
                cid: {"met": r.met, "evidence": [s.to_json() for s in r.evidence]}
                for cid, r in self.criteria.items()
            },
            "tone": self.tone,
            "ask": self.ask,
            "feedback": [item.to_json() for item in self.feedback],
            "strengths": [item.to_json() for item in self.strengths],
        }


_NOT_MET = CriterionResult(False)  # most criteria, most replies: one shared result


def detect(analysis: Analysis, rubric: Rubric) -> dict[str, CriterionResult]:
    """Run every registered detector for the rubric's ids."""
    results = {}
    for cid in rubric.ids:
        spans = DETECTORS[cid](analysis)
        results[cid] = CriterionResult(True, _dedupe(spans)) if spans else _NOT_MET
    return results


def _dedupe(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, without spans inside an earlier one."""
    if len(spans) == 1:
        return (spans[0],)
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if kept and span.end <= kept[-1].end:
            continue
        kept.append(span)
    return tuple(kept)


def stage_score(rubric: Rubric, stage: Stage, met: set[str]) -> int:
    """0-100: the stage's weight earned, less the penalties of violations present."""
    rewarded = rubric.by_stage[stage]
    earned = sum(weight for cid, weight in rewarded.weights.items() if cid in met)
    penalty = sum(spec.penalty for vid, spec in rubric.violations.items() if vid in met)
    return max(0, min(100, round(100 * earned / rewarded.total) - penalty))


def _best_stage(rubric: Rubric, met: set[str]) -> Stage:
    return max(STAGES, key=lambda s: (stage_score(rubric, s, met), -STAGES.index(s)))


def score_reply(
    text: str,
    stage: str | None = None,
    prepared: Prepared | None = None,
    rubric: Rubric | None = None,
) -> Score:
    """Score `text` as a reply at `stage` (None: the stage it fits best).

    Raises ReplyRejectedError for empty or over-long text and UnknownStageError for a bad stage;
    anything else is scored.
    """
    rubric = rubric or load_rubric()
    chosen = parse_stage(stage) if stage is not None else None
    check_reply_text(text)
    analysis = Analysis(text)
    criteria = detect(analysis, rubric)
    met = {cid for cid, result in criteria.items() if result.met}
    used_stage = chosen or _best_stage(rubric, met)
    asks = [f for f in analysis.ask_figures if criteria["specific_ask"].met]
    ask = asks[0] if asks else None
    return Score(
        stage=used_stage,
        stage_inferred=chosen is None,
        score=stage_score(rubric, used_stage, met),
        criteria=criteria,
        tone=tone_of(text, analysis.phrases),
        ask=ask.to_ask() if ask else None,
        feedback=feedback_for(rubric, used_stage, criteria, analysis, ask, prepared),
        strengths=strengths_for(rubric, used_stage, met),
    )
