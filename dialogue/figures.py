"""Figures in a reply - percentages, money, durations, counts - and what each one is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal

from dialogue.text import ReplyText

FigureKind = Literal[
    "percent", "money", "duration", "multiplier", "months_salary", "weeks_salary", "number"
]

_WORD_NUMBERS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "half a": 0.5,
}  # fmt: skip

_SYMBOL_CURRENCY: Final = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_WORD_CURRENCY: Final = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "eur": "EUR",
    "euro": "EUR", "euros": "EUR", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "quid": "GBP", "cad": "CAD", "aud": "AUD", "chf": "CHF", "francs": "CHF", "inr": "INR",
    "rupees": "INR", "jpy": "JPY", "yen": "JPY", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
    "pln": "PLN", "sgd": "SGD", "nzd": "NZD",
}  # fmt: skip
_MULTIPLIERS: Final = {
    "k": 1e3, "grand": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6,
    "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
_DURATION_UNITS: Final = (
    "ms", "millisecond", "sec", "second", "s", "min", "minute", "h", "hr", "hour", "day",
    "week", "wk", "month", "mo", "quarter", "year", "yr", "weekend", "sprint", "night",
)  # fmt: skip

_NUMBER: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_FIGURE: Final = re.compile(
    rf"""
    (?<![\w.,])
    (?P<sym>[$€£¥₹])?\s?
    (?P<num>{_NUMBER})
    (?:\s?(?P<mult>k|mm|mn|m|bn|b|grand|thousand|million|billion)(?![a-z]))?
    (?:\s?(?P<unit>%|percent(?:age\s+points?)?|per\s?cent|pct|pp|points?|x(?![a-z])|times
        |usd|eur|gbp|cad|aud|chf|inr|jpy|sek|nok|dkk|pln|sgd|nzd
        |dollars?|bucks|euros?|pounds?|quid|francs|rupees|yen
        |milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h
        |days?|weeks?|wks?|weekends?|months?|mos?|quarters?|years?|yrs?|sprints?|nights?
        )(?![a-z]))?
    """,
    re.VERBOSE,
)
_WORD_FIGURE: Final = re.compile(
    r"\b(?P<word>half a|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|thirty|forty|fifty)[\s-]+(?P<unit>percent|per cent|months?|weeks?)\b"
)
_SALARY_AFTER: Final = re.compile(
    r"'?s?\s+(?:worth\s+)?(?:of\s+)?(?:my\s+|the\s+)?(?:base\s+|gross\s+)?"
    r"(?:salary|pay|base|wages?|income|comp)\b"
)
_DIGIT: Final = re.compile(r"\d")
_RANGE_JOIN: Final = re.compile(r"^\s?(?:-|to|and)\s?$")


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure: its span, kind, value (and the top of a range), currency if money."""

    start: int
    end: int
    kind: FigureKind
    value: float
    high: float | None = None
    currency: str | None = None
    unit: str | None = None

    def to_ask(self) -> dict[str, object]:
        """The figure as the scorer's `ask` object."""
        number = int(self.value) if self.value.is_integer() else self.value
        result: dict[str, object]
        if self.kind == "percent":
            result = {"percent": number}
        elif self.kind in ("months_salary", "weeks_salary"):
            result = {self.kind: number}
        else:
            result = {"amount": number, "currency": self.currency}
        if self.high is not None:
            result["high"] = int(self.high) if self.high.is_integer() else self.high
        return result


def _unit_kind(unit: str | None, sym: str | None) -> tuple[FigureKind, str | None]:
    if sym:
        return "money", _SYMBOL_CURRENCY[sym]
    if not unit:
        return "number", None
    if unit in _WORD_CURRENCY:
        return "money", _WORD_CURRENCY[unit]
    if unit.startswith(("%", "percent", "per", "pct", "pp", "point")):
        return "percent", None
    if unit in ("x", "times"):
        return "multiplier", None
    return "duration", None


def _parse_number(num: str) -> float:
    return float(num.replace(",", ""))


def _plain_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    unit = unit.replace(" ", "")
    stem = unit.rstrip("s") if len(unit) > 2 else unit
    return stem if stem in _DURATION_UNITS else unit


class FigureReader:
    """Finds the figures of one reply (lazily, once)."""

    def __init__(self, reply: ReplyText) -> None:
        self.reply = reply

    @cached_property
    def figures(self) -> list[Figure]:
        low = self.reply.low
        found: list[Figure] = []
        if _DIGIT.search(low):
            found.extend(self._numeric(low))
        found.extend(self._worded(low))
        found.sort(key=lambda f: f.start)
        return _join_ranges(low, found)

    def _numeric(self, low: str) -> list[Figure]:
        out: list[Figure] = []
        for m in _FIGURE.finditer(low):
            value = _parse_number(m["num"])
            mult = m["mult"]
            unit = _plain_unit(m["unit"])
            kind, currency = _unit_kind(unit, m["sym"])
            if mult:
                value *= _MULTIPLIERS[mult]
                if kind == "number":
                    kind = "money"  # "15k" is money in this conversation
            end = m.end()
            salary = _SALARY_AFTER.match(low, end) if kind == "duration" else None
            if salary and unit in ("month", "mo", "week", "wk"):
                kind = "months_salary" if unit in ("month", "mo") else "weeks_salary"
                end = salary.end()
            out.append(Figure(m.start(), end, kind, value, currency=currency, unit=unit))
        return out

    def _worded(self, low: str) -> list[Figure]:
        out: list[Figure] = []
        for m in _WORD_FIGURE.finditer(low):
            value = float(_WORD_NUMBERS[m["word"]])
            unit = m["unit"]
            end = m.end()
            if unit.startswith("per"):
                out.append(Figure(m.start(), end, "percent", value, unit="%"))
                continue
            tail = _SALARY_AFTER.match(low, end)
            if tail:
                kind: FigureKind = "months_salary" if unit.startswith("month") else "weeks_salary"
                out.append(Figure(m.start(), tail.end(), kind, value, unit=unit.rstrip("s")))
            elif m["word"] not in ("a", "an", "half a"):
                out.append(Figure(m.start(), end, "duration", value, unit=unit.rstrip("s")))
        return out


def _join_ranges(low: str, figures: list[Figure]) -> list[Figure]:
    """Merge "8-10%", "$12k to $15k", "between 8 and 10 percent" into one figure."""
    out: list[Figure] = []
    index = 0
    while index < len(figures):
        first = figures[index]
        if index + 1 < len(figures):
            second = figures[index + 1]
            gap = low[first.end : second.start]
            joiner = _RANGE_JOIN.match(gap)
            lead = low[max(0, first.start - 8) : first.start]
            is_change = "from" in lead
            uses_and = joiner is not None and "and" in gap
            if joiner and not is_change and (not uses_and or "between" in lead):
                merged = _merge(first, second)
                if merged is not None:
                    out.append(merged)
                    index += 2
                    continue
        out.append(first)
        index += 1
    return out


def _merge(first: Figure, second: Figure) -> Figure | None:
    if first.kind not in ("number", second.kind):
        return None
    low, high = first.value, second.value
    if first.kind == "number" and high >= 1000 > low and low * 1000 <= high:
        low *= 1000  # "12-15k": the multiplier is written once, after the range
    if high < low:
        return None
    return Figure(
        first.start,
        second.end,
        second.kind,
        low,
        high=high,
        currency=second.currency or first.currency,
        unit=second.unit,
    )
