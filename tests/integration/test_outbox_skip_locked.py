# On PostgreSQL a worker's claim skips the messages another worker's claim has locked, at
# once and without waiting, and still keeps each person's messages in order.
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.messages import Message
from bot.outbox import OutboxItem
from storage.engine import create_engine, session_factory
from storage.outbox import OutboxQueue
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


async def test_a_claim_skips_locked_messages_instead_of_waiting(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with SqlUnitOfWork(sessions, ManualClock(NOW)) as uow:
        for n, person in enumerate(["a@x.example", "b@x.example", "a@x.example"]):
            await uow.outbox.add(
                OutboxItem(key=f"k{n}", recipient=person, message=Message(f"n{n}", f"t{n}"))
            )
        await uow.commit()
    other = engine.connect()
    async with other as connection, connection.begin():  # another worker, mid-claim
        await connection.execute(text("SELECT id FROM outbox_message WHERE key = 'k0' FOR UPDATE"))
        claimed = await asyncio.wait_for(
            OutboxQueue(sessions).claim(NOW, limit=10, lease=timedelta(seconds=60)), timeout=5
        )
        # k0 is taken by the other worker, and k2 waits behind it (same person, newer)
        assert [item.key for item in claimed] == ["k1"]
    claimed = await OutboxQueue(sessions).claim(NOW, limit=10, lease=timedelta(seconds=60))
    assert [item.key for item in claimed] == ["k0"]
    await engine.dispose()
