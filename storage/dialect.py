# What differs between SQLite (one writer at a time) and PostgreSQL (several replicas): row locks,
# and the INSERT that can say ON CONFLICT.
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def on_postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def locked(session: AsyncSession, query: Any, **options: Any) -> Any:
    """`query` with FOR UPDATE (and `options`, such as skip_locked=True) on PostgreSQL; SQLite
    needs no row locks."""
    return query.with_for_update(**options) if on_postgresql(session) else query


def insert_into(session: AsyncSession, table: Any) -> Any:
    """An INSERT into `table` in the session's dialect, so it can add ON CONFLICT clauses."""
    return (postgresql.insert if on_postgresql(session) else sqlite.insert)(table)
