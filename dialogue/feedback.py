"""Feedback on one reply: what went wrong, what was missing, phrased as what to do next time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialogue.analysis import Analysis
from dialogue.figures import Figure
from dialogue.money import amount_text, number_text
from dialogue.prepared import Prepared
from dialogue.rubric import Rubric
from dialogue.stages import Stage

if TYPE_CHECKING:
    from dialogue.scoring import CriterionResult


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    criterion: str
    section: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"criterion": self.criterion, "section": self.section, "message": self.message}


def describe(figure: Figure) -> str:
    """A figure as a person would write it: '12%', '8-10%', '$15,000', '1 month's salary'."""
    if figure.kind == "money":
        text = amount_text(figure.value, figure.currency)
        return text if figure.high is None else f"{text}-{number_text(figure.high)}"
    span = number_text(figure.value)
    if figure.high is not None:
        span += f"-{number_text(figure.high)}"
    if figure.kind == "percent":
        return f"{span}%"
    if figure.kind in ("months_salary", "weeks_salary"):
        period = "month" if figure.kind == "months_salary" else "week"
        return f"{span} {period}'s salary" if figure.value == 1 else f"{span} {period}s' salary"
    return span


def _outside(ask: Figure, research: Figure) -> str | None:
    """'above'/'below' when the ask falls outside the researched figure or range."""
    if ask.kind != research.kind or ask.currency != research.currency:
        return None
    top = research.high if research.high is not None else research.value
    if ask.value > top * 1.0001:
        return "above"
    if ask.value < research.value * 0.9999:
        return "below"
    return None


def _prepared_notes(
    ask: Figure | None, prepared: Prepared | None, met: set[str]
) -> list[FeedbackItem]:
    if prepared is None:
        return []
    notes = []
    research = prepared.researched_range
    if ask is not None and research is not None:
        side = _outside(ask, research)
        if side:
            notes.append(
                FeedbackItem(
                    "specific_ask",
                    "preparation",
                    f"You asked for {describe(ask)}, {side} the {describe(research)} your own "
                    "research found. Ask within your range, or be ready to say why you are "
                    "outside it.",
                )
            )
    planned = prepared.planned_ask
    if ask is not None and planned is not None and _outside(ask, planned) == "below":
        notes.append(
            FeedbackItem(
                "specific_ask",
                "script",
                f"You planned to ask for {describe(planned)} but asked for {describe(ask)}: "
                "don't negotiate against yourself before your manager has answered.",
            )
        )
    return notes


def _personal_hint(cid: str, analysis: Analysis, prepared: Prepared | None) -> str:
    """A sentence that uses the user's own numbers or notes, where there is one."""
    impact = analysis.impact_figures
    if cid == "business_impact" and impact:
        shown = analysis.raw[impact[0].start : impact[0].end]
        return f" You gave {shown}: say what it meant for revenue, cost, churn or time saved."
    if prepared is None:
        return ""
    if cid == "quantified_impact" and prepared.figured_accomplishments:
        return f' Use what you prepared: "{prepared.figured_accomplishments[0]}".'
    if cid == "specific_ask" and prepared.planned_ask is not None:
        return f" You prepared {describe(prepared.planned_ask)}: say it."
    if cid == "market_reference" and prepared.market_research:
        return f' Cite your research: "{prepared.market_research}".'
    return ""


def feedback_for(  # noqa: PLR0917 - one call site, every argument a different thing
    rubric: Rubric,
    stage: Stage,
    criteria: Mapping[str, CriterionResult],
    analysis: Analysis,
    ask: Figure | None,
    prepared: Prepared | None,
) -> list[FeedbackItem]:
    """Violations first, then notes on the user's own preparation, then what the stage missed."""
    met = {cid for cid, result in criteria.items() if result.met}
    items: list[FeedbackItem] = []
    for vid, spec in rubric.violations.items():
        if vid in met:
            quoted = criteria[vid].evidence[0].text
            items.append(
                FeedbackItem(
                    vid,
                    spec.section,
                    f'"{quoted}": {spec.feedback.message} For example: {spec.feedback.example}',
                )
            )
    items.extend(_prepared_notes(ask, prepared, met))
    for cid in rubric.by_stage[stage].heaviest_first:
        if cid in met:
            continue
        criterion = rubric.criteria[cid]
        message = criterion.feedback.missing + _personal_hint(cid, analysis, prepared)
        example = criterion.feedback.example
        items.append(FeedbackItem(cid, criterion.section, f"{message} For example: {example}"))
    return items


def strengths_for(rubric: Rubric, stage: Stage, met: set[str]) -> list[FeedbackItem]:
    """What the reply did well that the stage rewards, most valuable first."""
    return [
        FeedbackItem(cid, rubric.criteria[cid].section, rubric.criteria[cid].feedback.good)
        for cid in rubric.by_stage[stage].heaviest_first
        if cid in met
    ]
