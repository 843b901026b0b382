"""A PostgreSQL database of its own for a run: the bench's PostgreSQL load and the tests."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

AdminConnect = Callable[[], "psycopg.Connection[Any]"]


@contextmanager
def fresh_postgres_database(
    admin_url: str, prefix: str = "rehearse_bench", connect: AdminConnect | None = None
) -> Iterator[str]:
    """A new, empty database on the server `admin_url` names, dropped afterwards: the run
    starts from nothing, as the SQLite run does (reusing one database, every run added its
    sessions and dead row versions to the next one's tables). `connect`: how to reach the
    server as its administrator (the tests' skips or fails where none answers)."""
    admin = connect or (lambda: psycopg.connect(admin_url, autocommit=True, connect_timeout=5))
    name = f"{prefix}_{secrets.token_hex(6)}"
    with admin() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as exc:  # the figures stand; say what is left behind
            print(f"could not drop the database {name}: {exc}", file=sys.stderr)
