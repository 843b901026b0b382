"""Alembic environment: migrations run on the connection server.db.migrate hands over."""

from __future__ import annotations

from alembic import context

from server.db.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only server.db.migrate runs migrations
    raise RuntimeError("run migrations with `rehearse db upgrade` (server.db.migrate)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
