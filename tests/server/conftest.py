"""A running `rehearse serve` per database kind: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import database
from tests.live import ServerProcess, serving
from tests.server.client import Browser


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving("--db", db_url, cwd=tmp_path_factory.mktemp("cwd")) as base_url:
        yield base_url


@pytest.fixture(params=["sqlite", "postgres"])
def killable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own on a fresh database, which a test may kill -9 and start again."""
    with database(request.param, tmp_path) as url:
        process = ServerProcess("--db", url, cwd=tmp_path)
        process.start()
        try:
            yield process
        finally:
            process.stop()


@pytest.fixture
def browser(server: str) -> Browser:
    return Browser(server)
