"""Compact JSON text, as frames and stored JSON columns hold it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# One encoder each for every call: json.dumps with options builds a new one each time.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_WITH_TIMES = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_iso
).encode


def json_text(value: Any) -> str:
    return _ENCODE(value)


def json_text_with_times(value: Any) -> str:
    """As json_text, with datetimes as ISO 8601 text (for rows PostgreSQL reads back)."""
    return _ENCODE_WITH_TIMES(value)
