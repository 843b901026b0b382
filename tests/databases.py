"""Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on 127.0.0.1.

PostgreSQL tests skip, saying why, where no server answers; with REHEARSE_REQUIRE_POSTGRES=1
(as CI sets) they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

ADMIN_URL = os.environ.get("REHEARSE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
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
    name = f"rehearse_test_{secrets.token_hex(6)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'rehearse.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url
