"""Compact JSON text, as frames and stored JSON columns hold it.

A turn encodes ~13 values (its stored columns, its frames). `JSONEncoder.encode` builds a new C
encoder, a float formatter and a dict of the containers it has seen (to refuse cycles) for every
call; one C encoder made once, without the cycle check (our values are trees: a cycle would
end in RecursionError instead of ValueError), is 2.0 instead of 3.1 us a value. Where the C
encoder is missing (another Python), the standard encoder does the same work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, NoReturn


def _refuse(value: object) -> NoReturn:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    _refuse(value)


def _encoder(default: Callable[[object], object]) -> Callable[[Any], str]:
    if c_make_encoder is None:  # pragma: no cover - CPython always has it
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=default).encode
    # markers, default, string encoder, indent, key and item separators, sort_keys, skipkeys,
    # allow_nan: what JSONEncoder(ensure_ascii=False, separators=(",", ":")) passes.
    encode_one = c_make_encoder(
        None, default, encode_basestring, None, ":", ",", False, False, True
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return str(encode_basestring(value))
        return "".join(encode_one(value, 0))

    return encode


_ENCODE = _encoder(_refuse)
_ENCODE_WITH_TIMES = _encoder(_iso)


def json_text(value: Any) -> str:
    return _ENCODE(value)


def json_text_with_times(value: Any) -> str:
    """As json_text, with datetimes as ISO 8601 text (for rows PostgreSQL reads back)."""
    return _ENCODE_WITH_TIMES(value)
