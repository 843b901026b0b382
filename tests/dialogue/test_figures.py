import pytest

from dialogue.analysis import Analysis


def ask_of(text: str) -> list[dict[str, object]]:
    return [figure.to_ask() for figure in Analysis(text).ask_figures]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd like a bonus of 12%.", {"percent": 12}),
        ("I'm asking for $18,000 as a one-off bonus.", {"amount": 18000, "currency": "USD"}),
        ("I'd propose a bonus of €7.5k.", {"amount": 7500, "currency": "EUR"}),
        ("Could we agree on £8k?", {"amount": 8000, "currency": "GBP"}),
        ("I'm asking for 15000 USD.", {"amount": 15000, "currency": "USD"}),
        ("A bonus of ten percent would be fair.", {"percent": 10}),
        ("I'm asking for a bonus of one month's salary.", {"months_salary": 1}),
        ("I'd like a bonus in the 8-10% range.", {"percent": 8, "high": 10}),
        ("I'd like between $12k and $15k.", {"amount": 12000, "high": 15000, "currency": "USD"}),
        ("so i was thinking 6k?", {"amount": 6000, "currency": None}),
    ],
)
def test_the_ask_is_read_with_its_unit_and_currency(text: str, expected: dict[str, object]) -> None:
    assert ask_of(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I've been here 3 years.",
        "I regularly put in 60-hour weeks.",
        "I lead a team of 6 engineers.",
        "Could we meet at 2pm on the 14th?",
        "Since 2021 I've owned the pipeline.",
        "Could we book 30 minutes next week?",
    ],
)
def test_numbers_that_are_not_impact(text: str) -> None:
    assert Analysis(text).impact_figures == []


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("The new model increased precision by 15%.", "15%"),
        ("It saves about $90k a year in compute.", "$90k"),
        ("Recall went from 0.62 to 0.81.", "0.62"),
        ("That freed up 12 hours a week for the support team.", "12 hours"),
        ("p99 latency dropped from 300ms to 80ms.", "300ms"),
    ],
)
def test_measured_results_are_impact(text: str, figure: str) -> None:
    analysis = Analysis(text)
    found = [text[f.start : f.end] for f in analysis.impact_figures]
    assert figure in found


def test_a_percentage_of_impact_is_not_mistaken_for_the_ask() -> None:
    analysis = Analysis("Given that churn fell 5%, I'd like a bonus of 10%.")
    assert [f.to_ask() for f in analysis.ask_figures] == [{"percent": 10}]
    assert [f.value for f in analysis.impact_figures] == [5]
