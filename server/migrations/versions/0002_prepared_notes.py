"""What each owner prepared for each scenario, used when they start it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prepared_notes",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("scenario", sa.String(100), primary_key=True),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("prepared_notes")
