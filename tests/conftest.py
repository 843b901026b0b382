"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest

from dialogue.rubric import Rubric, load_rubric


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric()
