# Databases for integration tests: a fresh SQLite file, and PostgreSQL when a server answers.
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy

from storage.migrate import upgrade

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_reachable() -> bool:
    try:
        engine = sqlalchemy.create_engine(POSTGRES, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth)")
    return POSTGRES


def fresh_postgres(admin: str) -> tuple[str, object]:
    """A new, empty database; returns its URL and a function that drops it."""
    name = f"policybot_test_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin.rsplit("/", 1)[0] + "/" + name, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        return
    admin = request.getfixturevalue("postgres_admin")
    url, drop = fresh_postgres(admin)
    upgrade(url)
    try:
        yield url
    finally:
        drop()  # type: ignore[operator]
