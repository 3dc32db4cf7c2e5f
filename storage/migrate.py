# Applying and checking migrations (Alembic), from code rather than an alembic.ini.
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from storage.engine import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database up to the newest schema (blocking: run it in a thread)."""
    command.upgrade(alembic_config(url), "head")


def pending(url: str) -> bool:
    """True when the database lacks migrations this code needs."""
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    return current != head
