"""Compact JSON text (server.json_text) is exactly what the standard encoder writes with the same
options, for every JSON value (keys of every kind JSON turns into text, integer enums); it
refuses what JSON cannot hold, as the standard one does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.json_text import json_text, json_text_with_times


class Level(IntEnum):
    LOW = 1
    HIGH = 2


_KEYS = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.sampled_from(Level),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


def _standard(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@given(_VALUES)
def test_json_text_is_the_standard_encoding(value: Any) -> None:
    assert json_text(value) == _standard(value)
    assert json_text_with_times(value) == _standard(value)


def test_tuples_are_arrays_and_datetimes_only_with_times() -> None:
    moment = datetime(2026, 11, 29, 23, 5, tzinfo=UTC)
    assert json_text({"pair": (1, "é")}) == '{"pair":[1,"é"]}'
    assert json_text_with_times({"at": moment}) == '{"at":"2026-11-29T23:05:00+00:00"}'
    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        json_text({"at": moment})
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        json_text_with_times([object()])
