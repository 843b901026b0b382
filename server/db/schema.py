"""The tables (SQLAlchemy Core). Alembic migrations in server/migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

practice_sessions = Table(
    "practice_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(64), nullable=False, index=True),
    Column("scenario", String(100), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("start_state", String(100)),
    Column("prepared", JSON),
    Column("snapshot", JSON, nullable=False),
    Column("state", String(100), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("outcome", String(32)),
    Column("score", Integer),
    Column("summary", JSON),
    Column("turn_count", Integer, nullable=False),
    Column("connection", String(32)),  # the websocket that may play it now (newest wins)
    Column("started", DateTime(timezone=True), nullable=False),
    Column("finished", DateTime(timezone=True)),
)

session_turns = Table(
    "session_turns",
    metadata,
    Column(
        "session_id",
        String(32),
        ForeignKey("practice_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idx", Integer, primary_key=True),
    Column("speaker", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(32)),
    Column("state", String(100)),
    Column("stage", String(32)),
    Column("score", Integer),
    Column("tone", Float),
    Column("detected", JSON),
    Column("criteria", JSON),
    Column("feedback", JSON),
    Column("ask", JSON),
    Column("client_id", String(100)),  # the reply's `id`, so a retried reply is not applied twice
    Column("created", DateTime(timezone=True), nullable=False),
    UniqueConstraint("session_id", "client_id", name="uq_turn_client_id"),
)

prepared_notes = Table(
    "prepared_notes",
    metadata,
    Column("owner", String(64), primary_key=True),
    Column("scenario", String(100), primary_key=True),
    Column("notes", JSON, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)
