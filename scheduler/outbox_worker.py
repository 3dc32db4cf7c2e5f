# The outbox delivery worker: sends queued messages after the ack, with retries and backoff.
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.delivery import Claimed, DeliveryQueue, Envelope, Sender
from bot.outbox import BULK, URGENT, DeliveryError, RetryPolicy

log = logging.getLogger(__name__)


class OutboxWorker:
    """Claims due items, delivers them concurrently, and records each result. A message is
    retried with exponential backoff (at least Retry-After on 429) and dead-lettered after
    `policy.max_attempts`; an item left mid-send by a crash is picked up again after its lease.
    `senders` maps each kind of item (`chat`, `email`) to its sender; items of a kind with no
    sender wait in the outbox until one is configured."""

    def __init__(
        self,
        queue: DeliveryQueue,
        senders: Mapping[str, Sender],
        *,
        clock: Clock,
        policy: RetryPolicy,
        poll_seconds: float,
        lease_seconds: float = 60.0,
        batch: int = 20,
    ) -> None:
        self._queue = queue
        self._senders = dict(senders)
        self._clock = clock
        self._policy = policy
        self._poll = poll_seconds
        self._batch = batch
        self._lease = timedelta(seconds=lease_seconds)
        self._wake = asyncio.Event()
        self._wake_urgent = asyncio.Event()
        self._inflight: set[int] = set()  # items this worker is delivering now
        self.last_beat: datetime | None = None

    def wake(self) -> None:
        """Look for work now (called after a transaction queued messages)."""
        self._wake.set()
        self._wake_urgent.set()

    async def run(self) -> None:
        """Deliver until cancelled: one lane for everything, most urgent first, and an urgent
        lane that sends alerts at once even while the first waits on a campaign's batch."""
        await asyncio.gather(self._lane(BULK, self._wake), self._lane(URGENT, self._wake_urgent))

    async def _lane(self, most: int, wake: asyncio.Event) -> None:
        while True:
            try:
                sent = await self.run_once(most=most)
            except Exception:
                log.exception("outbox worker pass failed; trying again shortly")
                sent = 0
            if sent:
                continue
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self._poll)

    async def run_once(self, *, most: int = BULK) -> int:
        """One pass: claim what is due (of priority `most` or more urgent) and deliver it;
        returns how many were handled."""
        if most == BULK:
            self.last_beat = self._clock.now()
        if not self._senders:
            return 0
        items = await self._queue.claim(
            self._clock.now(),
            limit=self._batch,
            lease=self._lease,
            via=tuple(self._senders),
            most=most,
        )
        # The other lane may take back an item whose lease ran out while this worker still
        # waits on its send (a long rate-limit wait): it stays with its first delivery.
        mine = [item for item in items if item.id not in self._inflight]
        await asyncio.gather(*(self._deliver(item) for item in mine))
        return len(items)

    async def _deliver(self, item: Claimed) -> None:
        self._inflight.add(item.id)
        try:
            await self._deliver_one(item)
        finally:
            self._inflight.discard(item.id)

    async def _deliver_one(self, item: Claimed) -> None:
        sender = self._senders[item.via]
        previous = None
        if item.replace and item.thread:
            previous = await self._queue.previous_ref(item.recipient, item.thread)
        envelope = Envelope(
            item.id,
            item.recipient,
            item.message,
            previous,
            item.recovering,
            item.mail,
            urgent=item.priority == URGENT,
        )
        try:
            ref = await sender.deliver(envelope)
        except DeliveryError as error:
            await self._failed(item, error)
            return
        except Exception as error:  # a bug or an unexpected reply: retry, and say so
            log.exception("outbox item %s: unexpected error", item.id)
            await self._failed(item, DeliveryError(type(error).__name__))
            return
        await self._queue.sent(item.id, self._clock.now(), channel=sender.channel, ref=ref)
        log.info(
            "outbox item %s delivered via %s (attempt %d)", item.id, sender.channel, item.attempts
        )

    async def _failed(self, item: Claimed, error: DeliveryError) -> None:
        if error.throttled:
            delay = timedelta(seconds=max(error.retry_after or 0.0, 0.0))
            log.info("outbox item %s waits %.1fs for rate limits", item.id, delay.total_seconds())
            await self._queue.requeue(
                item.id, reason=error.reason, retry_at=self._clock.now() + delay
            )
            return
        if error.permanent or self._policy.exhausted(item.attempts):
            log.warning(
                "outbox item %s dead-lettered after %d attempts: %s",
                item.id,
                item.attempts,
                error.reason,
            )
            await self._queue.failed(item.id, reason=error.reason, retry_at=None)
            return
        delay = self._policy.delay(item.attempts, error.retry_after)
        log.info(
            "outbox item %s failed (%s); retrying in %.1fs",
            item.id,
            error.reason,
            delay.total_seconds(),
        )
        await self._queue.failed(item.id, reason=error.reason, retry_at=self._clock.now() + delay)
