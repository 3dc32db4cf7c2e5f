# Outbox priorities: alerts go before campaigns (in the queue and in the worker's urgent lane),
# and waiting for rate limits never counts as a failed attempt.
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock, SystemClock
from bot.delivery import Envelope
from bot.messages import Message
from bot.outbox import BULK, NORMAL, URGENT, DeliveryError, OutboxItem, RetryPolicy
from scheduler.outbox_worker import OutboxWorker
from storage.engine import create_engine, session_factory
from storage.outbox import OutboxQueue
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def _queue(sessions: object, *items: tuple[str, str, int]) -> None:
    async with SqlUnitOfWork(sessions, ManualClock(NOW)) as uow:
        for key, recipient, priority in items:
            message = Message(notification=key, title=key)
            await uow.outbox.add(OutboxItem(key, recipient, message, priority=priority))
        await uow.commit()


async def test_the_most_urgent_are_claimed_first_and_never_wait_behind_bulk(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await _queue(
        sessions,
        ("campaign-head", "head@x", BULK),
        ("campaign-dsl", "dsl@x", BULK),
        ("approval-head", "head@x", NORMAL),
        ("alert-head", "head@x", URGENT),
        ("alert-head-2", "head@x", URGENT),
        ("alert-dsl", "dsl@x", URGENT),
    )
    queue = OutboxQueue(sessions)
    urgent = await queue.claim(NOW, limit=10, lease=LEASE, most=URGENT)
    # Per person in order within a priority (the second alert waits for the first), but an
    # alert does not wait behind the same person's older campaign message.
    assert [c.key for c in urgent] == ["alert-head", "alert-dsl"]
    assert all(c.priority == URGENT for c in urgent)
    # Less urgent messages go in order of priority; the second alert waits for the first.
    claimed = await queue.claim(NOW, limit=10, lease=LEASE)
    assert [c.key for c in claimed] == ["approval-head", "campaign-head", "campaign-dsl"]
    for item in urgent:
        await queue.sent(item.id, NOW, channel="slack", ref="r")
    assert [c.key for c in await queue.claim(NOW, limit=10, lease=LEASE)] == ["alert-head-2"]
    await engine.dispose()


async def test_a_cards_revisions_go_in_order_whatever_their_priority(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with SqlUnitOfWork(sessions, ManualClock(NOW)) as uow:
        card = Message(notification="card", title="card")
        await uow.outbox.add(OutboxItem.card("change:t", 1, "t@x", card, priority=BULK))
        await uow.outbox.add(OutboxItem.card("change:t", 2, "t@x", card, priority=NORMAL))
        await uow.commit()
    queue = OutboxQueue(sessions)
    [first] = await queue.claim(NOW, limit=10, lease=LEASE)
    assert first.key == "change:t:v1"
    assert await queue.claim(NOW, limit=10, lease=LEASE) == []  # v2 waits for v1
    await queue.sent(first.id, NOW, channel="slack", ref="D1:1")
    assert [c.key for c in await queue.claim(NOW, limit=10, lease=LEASE)] == ["change:t:v2"]
    await engine.dispose()


class Throttled:
    """A sender whose every send waits for rate limits."""

    channel = "slack"

    def __init__(self) -> None:
        self.tries = 0

    async def deliver(self, envelope: Envelope) -> str:
        self.tries += 1
        raise DeliveryError("ratelimited (chat.postMessage)", retry_after=30, throttled=True)


async def test_waiting_for_rate_limits_is_never_a_failed_attempt(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await _queue(sessions, ("nudge", "teacher@x", BULK))
    clock, sender, queue = ManualClock(NOW), Throttled(), OutboxQueue(sessions)
    worker = OutboxWorker(
        queue, {"chat": sender}, clock=clock, policy=RetryPolicy(3, 1, 60), poll_seconds=1
    )
    for _ in range(10):  # far more than max_attempts
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0  # not before Retry-After
        clock.advance(timedelta(seconds=30))
    assert sender.tries == 10
    assert await queue.counts() == {"pending": 1}
    assert await queue.dead() == []
    await engine.dispose()


class Gated:
    """Bulk sends hang until released (a campaign waiting on rate limits); others go at once."""

    channel = "slack"

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.sent: list[str] = []

    async def deliver(self, envelope: Envelope) -> str:
        if not envelope.urgent:
            await self.release.wait()
        self.sent.append(envelope.message.title)
        return "ref"


async def test_an_alert_is_sent_while_a_campaign_batch_is_still_waiting(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await _queue(sessions, *((f"campaign-{n}", f"staff{n}@x", BULK) for n in range(5)))
    sender = Gated()
    worker = OutboxWorker(
        OutboxQueue(sessions),
        {"chat": sender},
        clock=ManualClock(NOW),
        policy=RetryPolicy(3, 1, 60),
        poll_seconds=0.05,
    )
    running = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.3)  # the batch of campaign messages is claimed and waiting
        await _queue(sessions, ("alert", "head@x", URGENT))
        worker.wake()
        for _ in range(100):
            if sender.sent:
                break
            await asyncio.sleep(0.05)
        assert sender.sent == ["alert"]
        sender.release.set()
        for _ in range(100):
            if len(sender.sent) == 6:
                break
            await asyncio.sleep(0.05)
        assert sorted(sender.sent) == ["alert"] + [f"campaign-{n}" for n in range(5)]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await engine.dispose()


class Slow:
    """A send that takes longer than the item's lease (a long wait for rate limits)."""

    channel = "slack"

    def __init__(self) -> None:
        self.sends: list[str] = []

    async def deliver(self, envelope: Envelope) -> str:
        self.sends.append(envelope.message.title)
        await asyncio.sleep(0.6)
        return "ref"


async def test_an_item_outliving_its_lease_is_not_sent_again_by_the_other_lane(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await _queue(sessions, ("alert", "head@x", URGENT))
    sender = Slow()
    worker = OutboxWorker(
        OutboxQueue(sessions),
        {"chat": sender},
        clock=SystemClock(),
        policy=RetryPolicy(3, 1, 60),
        poll_seconds=0.05,
        lease_seconds=0.1,  # the lease runs out while the send still waits
    )
    running = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(1.5)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert sender.sends == ["alert"]
    assert await OutboxQueue(sessions).counts() == {"sent": 1}
    await engine.dispose()
