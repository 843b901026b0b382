"""The first schema: settings, practice sessions and their turns.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "practice_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("start_state", sa.String(100)),
        sa.Column("prepared", sa.JSON),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(32)),
        sa.Column("score", sa.Integer),
        sa.Column("summary", sa.JSON),
        sa.Column("turn_count", sa.Integer, nullable=False),
        sa.Column("connection", sa.String(32)),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_practice_sessions_owner", "practice_sessions", ["owner"])
    op.create_table(
        "session_turns",
        sa.Column(
            "session_id",
            sa.String(32),
            sa.ForeignKey("practice_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32)),
        sa.Column("state", sa.String(100)),
        sa.Column("stage", sa.String(32)),
        sa.Column("score", sa.Integer),
        sa.Column("tone", sa.Float),
        sa.Column("detected", sa.JSON),
        sa.Column("criteria", sa.JSON),
        sa.Column("feedback", sa.JSON),
        sa.Column("ask", sa.JSON),
        sa.Column("client_id", sa.String(100)),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "client_id", name="uq_turn_client_id"),
    )


def downgrade() -> None:
    op.drop_table("session_turns")
    op.drop_index("ix_practice_sessions_owner", "practice_sessions")
    op.drop_table("practice_sessions")
    op.drop_table("app_settings")
