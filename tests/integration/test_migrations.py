# The migrations build exactly the schema the SQLModel tables describe, on SQLite and PostgreSQL.
from __future__ import annotations

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from storage import migrate
from storage.engine import sync_url


def test_the_migrated_schema_matches_the_tables(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = sqlalchemy.create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": False, "compare_server_default": False}
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []
