# The outbox with two workers on one database, delivering to fake Slack; the audit trail's lock.
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
from slack_sdk.web.async_client import AsyncWebClient

from bot.audit import AuditEvent
from bot.clock import ManualClock
from bot.directory import load_directory
from bot.messages import Message
from bot.outbox import OutboxItem, RetryPolicy
from handlers.slack.people import SlackPeople
from handlers.slack.sender import SlackSender
from scheduler.outbox_worker import OutboxWorker
from storage.engine import create_engine, session_factory, sync_url
from storage.identities import SqlIdentities
from storage.outbox import OutboxQueue
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE, seed_users
from tests.fakes.slack_api import FakeSlack

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


async def test_two_workers_deliver_each_message_once_and_in_order(database_url: str) -> None:
    directory = load_directory(SAMPLE)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    clock = ManualClock(NOW)
    with FakeSlack(bot_token="xoxb-int") as fake:
        ids = seed_users(fake, Path(SAMPLE))
        people = [p.email for p in directory.people][:10]
        async with SqlUnitOfWork(sessions, clock) as uow:
            for n in range(40):
                email = people[n % len(people)]
                message = Message(notification=f"note {n}", title=f"Message {n}")
                await uow.outbox.add(OutboxItem(key=f"k{n}", recipient=email, message=message))
            assert not await uow.outbox.add(
                OutboxItem(key="k0", recipient=people[0], message=Message("x", "x"))
            )
            await uow.commit()

        def worker() -> OutboxWorker:
            client = AsyncWebClient(token="xoxb-int", base_url=fake.api_url)
            slack = SlackPeople(client, SqlIdentities(sessions), lambda: directory, clock)
            return OutboxWorker(
                OutboxQueue(sessions),
                {"chat": SlackSender(client, slack)},
                clock=clock,
                policy=RetryPolicy(3, 0.1, 1),
                poll_seconds=0.05,
            )

        first, second = worker(), worker()
        for _ in range(30):
            await asyncio.gather(first.run_once(), second.run_once())
        posts = fake.calls("chat.postMessage")
        assert sorted(p["args"]["text"] for p in posts) == sorted(f"note {n}" for n in range(40))
        for email in people:  # the first post goes to the user id, the next ones to the DM
            dm = (ids[email], fake.dm_channel(ids[email]))
            texts = [p["args"]["text"] for p in posts if p["args"]["channel"] in dm]
            assert texts == sorted(texts, key=lambda t: int(t.split()[1]))
        counts = await OutboxQueue(sessions).counts()
        assert counts == {"sent": 40}
    await engine.dispose()


async def test_audit_trail_refuses_change_and_deletion(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with SqlUnitOfWork(sessions, ManualClock(NOW)) as uow:
        await uow.audit.append(
            AuditEvent(NOW, "system", "test.done", "test", "1", None, {"status": "x"})
        )
        await uow.commit()
    await engine.dispose()
    sync = sqlalchemy.create_engine(sync_url(database_url))
    for statement in ("UPDATE audit_event SET actor = 'someone'", "DELETE FROM audit_event"):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            sync.begin() as connection,
        ):
            connection.execute(sqlalchemy.text(statement))
    with sync.connect() as connection:
        assert connection.execute(sqlalchemy.text("SELECT actor FROM audit_event")).scalar() == (
            "system"
        )
    sync.dispose()
