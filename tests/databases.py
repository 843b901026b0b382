"""Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on 127.0.0.1.

PostgreSQL tests skip, saying why, where no server answers; with REHEARSE_REQUIRE_POSTGRES=1
(as CI sets) they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from bench.postgres import fresh_postgres_database

ADMIN_URL = os.environ.get("REHEARSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {ADMIN_URL} does not answer ({exc}); scale-out tests need it"
        if os.environ.get("REHEARSE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REHEARSE_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"SKIPPED LOUDLY: {reason}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test module; dropped afterwards."""
    with fresh_postgres_database(ADMIN_URL, "rehearse_test", admin_connection) as url:
        yield url


@contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'rehearse.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url
