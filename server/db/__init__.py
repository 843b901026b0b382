"""Persistence: the schema, the engine, migrations and the queries, all through SQLAlchemy."""
