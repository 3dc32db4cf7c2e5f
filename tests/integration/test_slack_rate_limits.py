# Slack's rate limits: the fake's 429s, the sender's waits and requeues, and a campaign to
# hundreds of people through the real worker and outbox, each message delivered exactly once.
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.clock import ManualClock, SystemClock
from bot.delivery import Envelope
from bot.directory import load_directory
from bot.messages import Message
from bot.outbox import DeliveryError, OutboxItem, RetryPolicy
from bot.ports import ChatIdentity
from handlers.slack.people import SlackPeople
from handlers.slack.rate_limits import Pace, RateGate
from handlers.slack.sender import SlackSender
from scheduler.outbox_worker import OutboxWorker
from storage.engine import create_engine, session_factory
from storage.identities import SqlIdentities
from storage.outbox import OutboxQueue, SqlOutbox
from storage.tables import OutboxRow
from tests.e2e.harness import SAMPLE
from tests.fakes.slack_api import FakeSlack, RateLimit

TOKEN = "xoxb-limits"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
LOOKUP, POST = "users.lookupByEmail", "chat.postMessage"


class Identities:
    """An in-memory bot.ports.IdentityStore."""

    def __init__(self) -> None:
        self.known: dict[str, ChatIdentity] = {}

    async def get(self, channel: str, email: str) -> ChatIdentity | None:
        return self.known.get(email)

    async def email_for(self, channel: str, user_id: str) -> str | None:
        return next((i.email for i in self.known.values() if i.user_id == user_id), None)

    async def remember(
        self, channel: str, email: str, user_id: str, now: datetime, *, dm: str | None = None
    ) -> None:
        old = self.known.get(email)
        self.known[email] = ChatIdentity(email, user_id, dm or (old.dm_channel if old else None))


def staff(fake: FakeSlack, count: int) -> list[str]:
    """`count` Slack users who are not in the sample directory (so each is looked up)."""
    emails = [f"staff{n:04d}@campaign.example" for n in range(count)]
    for n, email in enumerate(emails):
        fake.add_user(email, f"U9{n:07d}", f"Staff {n}")
    return emails


def sender(fake: FakeSlack, identities: Any, **options: Any) -> SlackSender:
    client = AsyncWebClient(token=TOKEN, base_url=fake.api_url, timeout=options.pop("timeout", 30))
    directory = load_directory(SAMPLE)
    people = SlackPeople(client, identities, lambda: directory, ManualClock(NOW))
    return SlackSender(client, people, **options)


def envelope(item_id: int, email: str, *, recovering: bool = False) -> Envelope:
    return Envelope(item_id, email, Message(f"note {item_id}", "A note"), None, recovering)


# ---------------------------------------------------------------- the fake's rate-limit mode
async def test_the_fake_refuses_calls_over_a_limit_with_retry_after() -> None:
    clock = ManualSeconds()
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.add_user("a@x.example", "U1", "A")
        limits = {LOOKUP: RateLimit(2, 60), POST: RateLimit(100, 60)}
        fake.set_rate_limits(limits, per_conversation=RateLimit(1, 1.0), clock=clock)
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        for _ in range(2):
            await client.users_lookupByEmail(email="a@x.example")
        clock.now = 20
        with pytest.raises(SlackApiError) as refused:
            await client.users_lookupByEmail(email="a@x.example")
        assert refused.value.response.status_code == 429
        assert refused.value.response.data == {"ok": False, "error": "ratelimited"}
        assert refused.value.response.headers["Retry-After"] == "40"
        [refusal] = fake.refusals()
        assert (refusal["method"], refusal["at"], refusal["retry_after"]) == (LOOKUP, 20, 40)
        assert fake.failed_calls(LOOKUP)[-1]["status"] == 429
        clock.now = 60
        await client.users_lookupByEmail(email="a@x.example")

        await client.chat_postMessage(channel="U1", text="one")  # to the user id: the same DM
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="DU1", text="two")
        assert refused.value.response.headers["Retry-After"] == "1"
        assert fake.refusals(POST)[0]["limit"] == "conversation"
        assert [m["text"] for m in fake.messages_to("U1")] == ["one"]
        clock.now = 61
        await client.chat_postMessage(channel="DU1", text="two", metadata=meta(5))
        assert fake.posts_per_item() == Counter({None: 1, 5: 1})

        fake.set_rate_limits(None)  # off again
        for _ in range(5):
            await client.users_lookupByEmail(email="a@x.example")


class ManualSeconds:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def meta(item: int) -> dict[str, Any]:
    return {"event_type": "policybot_outbox", "event_payload": {"item": item}}


# ---------------------------------------------------------------- one sender against the fake
async def test_a_short_retry_after_is_waited_for_and_the_message_posted_once() -> None:
    with FakeSlack(bot_token=TOKEN) as fake:
        [email] = staff(fake, 1)
        fake.fail_next(POST, status=429, times=1, retry_after=1)
        slack = sender(fake, Identities())
        started = asyncio.get_running_loop().time()
        ref = await slack.deliver(envelope(1, email))
        assert asyncio.get_running_loop().time() - started >= 1.0
        assert ref.startswith("DU9")  # the DM Slack opened for the user id
        assert fake.posts_per_item() == Counter({1: 1})
        assert not fake.calls("conversations.open")  # the post to the user id opened it


async def test_a_long_retry_after_requeues_the_item_and_holds_the_method_for_all() -> None:
    with FakeSlack(bot_token=TOKEN) as fake:
        first, second = staff(fake, 2)
        fake.fail_next(POST, status=429, times=1, retry_after=30)
        slack = sender(fake, Identities())
        with pytest.raises(DeliveryError) as error:
            await slack.deliver(envelope(1, first))
        assert error.value.retry_after == pytest.approx(30, abs=0.5)
        assert not error.value.permanent
        with pytest.raises(DeliveryError) as error:  # another person: held too, not sent
            await slack.deliver(envelope(2, second))
        assert 28 < error.value.retry_after <= 31  # the turn after the first one's
        assert len(fake.failed_calls(POST)) == 1
        assert fake.posts_per_item() == Counter()


@pytest.mark.parametrize("failure", ["timeout", "internal_error"])
async def test_a_post_that_may_have_got_through_is_looked_for_before_posting_again(
    failure: str,
) -> None:
    with FakeSlack(bot_token=TOKEN) as fake:
        [email] = staff(fake, 1)
        if failure == "timeout":  # Slack posts it, but answers too late
            fake.set_delay(POST, 1.0)
        else:
            fake.fail_next(POST, status=500)
        slack = sender(fake, Identities(), timeout=0.3)
        with pytest.raises(DeliveryError):
            await slack.deliver(envelope(7, email))
        fake.set_delay(POST, 0)
        if failure == "timeout":
            fake.wait_for(lambda f: f.posts_per_item()[7] == 1)
        await slack.deliver(envelope(7, email))  # the worker's next attempt (not "recovering")
        assert fake.posts_per_item()[7] == 1
        assert fake.calls("conversations.history")


# ---------------------------------------------------------------- a campaign through the worker
@pytest.mark.parametrize("twice", [30])
async def test_a_campaign_within_the_limits_reaches_everyone_exactly_once(
    database_url: str, twice: int
) -> None:
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    clock = SystemClock()
    with FakeSlack(bot_token=TOKEN) as fake:
        emails = staff(fake, 120)
        # The fake is stricter than the sender's paces, so Slack must say 429 now and then.
        fake.set_rate_limits(
            {LOOKUP: RateLimit(20, 1.0), POST: RateLimit(25, 1.0)},
            per_conversation=RateLimit(1, 1.0),
        )
        async with sessions() as session:
            outbox = SqlOutbox(session, clock.now())
            recipients = emails + emails[:twice]  # some people get two messages
            for n, email in enumerate(recipients):
                message = Message(f"campaign note {n}", "Training reminder")
                await outbox.add(OutboxItem(key=f"campaign:{n}", recipient=email, message=message))
            await session.commit()
        gate = RateGate({LOOKUP: Pace(1800, burst=5), POST: Pace(2100, burst=5)})
        slack = sender(fake, SqlIdentities(sessions), gate=gate, max_wait=3.0)
        queue = RecordingQueue(sessions)
        worker = OutboxWorker(
            queue,
            {"chat": slack},
            clock=clock,
            policy=RetryPolicy(12, 0.1, 1.0),
            poll_seconds=0.02,
            batch=60,
        )
        running = asyncio.create_task(worker.run())
        try:
            await asyncio.wait_for(all_sent(sessions, len(recipients)), 90)
        finally:
            running.cancel()
        assert await OutboxQueue(sessions).counts() == {"sent": len(recipients)}
        posts = fake.posts_per_item()
        assert len(posts) == len(recipients)  # none lost
        assert set(posts.values()) == {1}  # none twice
        refusals = fake.refusals()
        assert refusals, "the fake's limits were never reached"
        assert gate.holds >= 1
        assert_honoured(fake, refusals)
        assert_a_second_apart(fake, emails[:twice])
        assert queue.requeued, "no item had to wait for a later turn"
        assert max(queue.requeued.values()) <= 2  # a requeued item came back to its kept turn
        assert await attempts_made(sessions) == Counter({1: len(recipients)})  # none failed
    await engine.dispose()


class RecordingQueue(OutboxQueue):
    """The real outbox queue, counting how often each item was requeued for rate limits."""

    def __init__(self, sessions: Any) -> None:
        super().__init__(sessions)
        self.requeued: Counter[int] = Counter()

    async def requeue(self, item_id: int, *, reason: str, retry_at: datetime) -> None:
        self.requeued[item_id] += 1
        await super().requeue(item_id, reason=reason, retry_at=retry_at)


async def attempts_made(sessions: Any) -> Counter[int]:
    """How many items took 1, 2, ... attempts."""
    async with sessions() as session:
        return Counter((await session.exec(select(OutboxRow.attempts))).all())


async def all_sent(sessions: Any, count: int) -> None:
    queue = OutboxQueue(sessions)
    for _ in range(100_000):
        if (await queue.counts()).get("sent", 0) >= count:
            return
        await asyncio.sleep(0.2)


def caller(call: dict[str, Any]) -> Any:
    """Who made a call: the e-mail looked up, or the outbox item posted."""
    if call["method"] == LOOKUP:
        return call["args"]["email"]
    return ((call["args"].get("metadata") or {}).get("event_payload") or {}).get("item")


def assert_honoured(fake: FakeSlack, refusals: list[dict[str, Any]]) -> None:
    """After a 429, the same caller tried again no sooner than Retry-After said."""
    tries = [
        (c["method"], caller(c), c["at"]) for c in fake.calls() if c["method"] in (LOOKUP, POST)
    ]
    tries += [(r["method"], caller(r), r["at"]) for r in refusals]
    for refusal in refusals:
        again = [
            at
            for method, who, at in tries
            if method == refusal["method"] and who == caller(refusal) and at > refusal["at"]
        ]
        assert again, f"{refusal['method']} for {caller(refusal)} was never tried again"
        assert min(again) >= refusal["at"] + refusal["retry_after"] - 0.01


def assert_a_second_apart(fake: FakeSlack, emails: list[str]) -> None:
    """Two messages to one person's DM arrived at least about a second apart."""
    by_dm: dict[str, list[float]] = {}
    for call in fake.calls(POST):
        channel = call["args"]["channel"]
        by_dm.setdefault(channel if channel.startswith("D") else "D" + channel, []).append(
            call["at"]
        )
    twice = [sorted(times) for times in by_dm.values() if len(times) == 2]
    assert len(twice) == len(emails)
    assert all(later - first >= 0.95 for first, later in twice)
