"""Figures as a person writes them: 10%, 7.5%, $15,000, EUR 8,000."""

from __future__ import annotations

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def number_text(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent_text(value: float) -> str:
    return f"{number_text(value)}%"


def amount_text(value: float, currency: str | None) -> str:
    if currency in _SYMBOLS:
        return f"{_SYMBOLS[currency]}{number_text(value)}"
    return f"{currency} {number_text(value)}" if currency else number_text(value)
