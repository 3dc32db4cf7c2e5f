# The audit trail's hash chain: concurrent appends stay chained, and `verify` names tampering.
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import sqlalchemy
from click.testing import CliRunner

from bot.__main__ import cli
from bot.audit import AuditEvent
from bot.clock import ManualClock
from storage.audit import verify_trail
from storage.engine import create_engine, is_sqlite, session_factory, sync_url
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def event(n: int) -> AuditEvent:
    return AuditEvent(
        NOW + timedelta(seconds=n), "a@x.org", f"test.step{n}", "test", str(n), None, {"n": n}
    )


async def write(url: str, count: int, *, writers: int = 1) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)

    async def writer(w: int) -> None:
        for n in range(w, count, writers):
            async with SqlUnitOfWork(sessions, ManualClock(NOW)) as uow:
                await uow.audit.append(event(n))
                if n % 3 == 0:
                    await uow.audit.append_many([event(n + 1000), event(n + 2000)])
                await uow.commit()

    await asyncio.gather(*(writer(w) for w in range(writers)))
    await engine.dispose()


async def verdict(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            return await verify_trail(session)
    finally:
        await engine.dispose()


def tamper(url: str, statement: str) -> None:
    """Do what the triggers forbid, as someone with the database's password could."""
    engine = sqlalchemy.create_engine(sync_url(url))
    with engine.begin() as connection:
        if is_sqlite(url):
            connection.execute(sqlalchemy.text("DROP TRIGGER audit_event_no_update"))
            connection.execute(sqlalchemy.text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(
                sqlalchemy.text("DROP TRIGGER audit_event_append_only ON audit_event")
            )
        connection.execute(sqlalchemy.text(statement))
    engine.dispose()


async def test_concurrent_appends_stay_one_chain(database_url: str) -> None:
    await write(database_url, 30, writers=4)
    result = await verdict(database_url)
    assert result.intact and result.count == 30 + 2 * 10


async def test_verify_names_a_changed_event(database_url: str) -> None:
    await write(database_url, 10)
    tamper(database_url, "UPDATE audit_event SET actor = 'someone@x.org' WHERE id = 4")
    result = await verdict(database_url)
    assert result.broken is not None and result.broken.event is not None
    assert (result.broken.event.id, result.broken.problem) == (4, "changed")
    assert "event 4 (" in result.broken.describe()
    assert "changed" in result.broken.describe()


async def test_verify_names_where_an_event_was_removed(database_url: str) -> None:
    await write(database_url, 10)
    tamper(database_url, "DELETE FROM audit_event WHERE id = 6")
    result = await verdict(database_url)
    assert result.broken is not None and result.broken.event is not None
    assert (result.broken.event.id, result.broken.problem) == (7, "removed before")
    assert "removed" in result.broken.describe()


async def test_verify_sees_the_last_events_removed(database_url: str) -> None:
    await write(database_url, 5)
    tamper(database_url, "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")
    result = await verdict(database_url)
    assert result.broken is not None and result.broken.event is None


async def test_audit_verify_command(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DIRECTORY_FILE", str(tmp_path / "none.yml"))
    runner = CliRunner()
    await asyncio.to_thread(runner.invoke, cli, ["db", "upgrade"])
    await write(url, 3)
    result = await asyncio.to_thread(runner.invoke, cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact, 5 events" in result.output
    tamper(url, "UPDATE audit_event SET action = 'x' WHERE id = 2")
    result = await asyncio.to_thread(runner.invoke, cli, ["audit", "verify"])
    assert result.exit_code == 1
    assert "event 2 (" in result.output and "x on test 1000" in result.output


async def test_migration_chains_the_events_already_written(database_url: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    config = alembic_config(database_url)
    before = ScriptDirectory.from_config(config).get_revision("0011").down_revision
    await asyncio.to_thread(command.downgrade, config, str(before))
    engine = sqlalchemy.create_engine(sync_url(database_url))
    with engine.begin() as connection:
        for n in range(3):
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO audit_event (at, actor, action, record_type, record_id, after) "
                    "VALUES (:at, 'system', :action, 'test', :id, :after)"
                ),
                {
                    "at": NOW + timedelta(minutes=n),
                    "action": f"old.{n}",
                    "id": str(n),
                    "after": json.dumps({"n": n, "a": "é"}),
                },
            )
    engine.dispose()
    await asyncio.to_thread(command.upgrade, config, "head")
    await write(database_url, 2)
    result = await verdict(database_url)
    assert result.intact and result.count == 3 + 2 + 2
