"""Bring the schema up to date, safely when several replicas start at once."""

from __future__ import annotations

import secrets
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import IntegrityError

import server.migrations
from server.db.schema import app_settings

# Any constant: replicas agree on it, so only one migrates at a time.
MIGRATION_LOCK = 7_344_001
SECRET_KEY_SETTING = "secret_key"


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(server.migrations.__file__).parent))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Run every pending migration (under a PostgreSQL advisory lock)."""
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            command.upgrade(_alembic_config(connection), "head")
            connection.commit()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()


def secret_key(engine: Engine, configured: str | None) -> str:
    """The cookie-signing key: configured, else generated once and kept in the database."""
    if configured:
        return configured
    query = select(app_settings.c.value).where(app_settings.c.key == SECRET_KEY_SETTING)
    with engine.connect() as connection:
        stored = connection.execute(query).scalar_one_or_none()
        if stored is not None:
            return str(stored)
        try:
            generated = secrets.token_urlsafe(32)
            row = {"key": SECRET_KEY_SETTING, "value": generated}
            connection.execute(insert(app_settings).values(row))
            connection.commit()
            return generated
        except IntegrityError:  # another worker stored one first: use theirs
            connection.rollback()
            return str(connection.execute(query).scalar_one())
