# The sender port: how the delivery worker hands a message to a chat platform.
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.messages import Message
from bot.outbox import BULK, NORMAL, MailAddresses


@dataclass(frozen=True)
class Claimed:
    """An outbox item a worker now holds. `recovering`: a previous holder died mid-send, so
    the message may already be out and the sender must look before sending again."""

    id: int
    key: str
    recipient: str
    message: Message
    thread: str | None
    replace: bool
    attempts: int
    recovering: bool
    via: str = "chat"
    mail: MailAddresses | None = None
    priority: int = NORMAL


class DeliveryQueue(Protocol):
    """The worker's side of the outbox (storage implements it)."""

    async def claim(
        self,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        via: tuple[str, ...] = ("chat",),
        most: int = BULK,
    ) -> list[Claimed]:
        """Due items sent through one of `via` (the senders this worker has), of priority
        `most` or more urgent, the most urgent first."""
        ...

    async def previous_ref(self, recipient: str, thread: str) -> str | None: ...
    async def sent(self, item_id: int, now: datetime, *, channel: str, ref: str) -> None: ...
    async def failed(self, item_id: int, *, reason: str, retry_at: datetime | None) -> None: ...
    async def requeue(self, item_id: int, *, reason: str, retry_at: datetime) -> None:
        """Wait for a rate limit: try again at `retry_at`, not counted as an attempt."""
        ...


@dataclass(frozen=True)
class Envelope:
    """One message on its way. `previous` is where this thread's card was delivered before
    (to update it in place); `recovering` means an earlier attempt may have got through."""

    item_id: int
    recipient: str
    message: Message
    previous: str | None
    recovering: bool
    mail: MailAddresses | None = None
    urgent: bool = False  # goes before bulk sends waiting for the same rate limits


class Sender(Protocol):
    """Delivers one kind of outbox item (`via` chat or email) through `channel` (slack, teams,
    graph, smtp)."""

    channel: str

    async def deliver(self, envelope: Envelope) -> str:
        """Send or update; return where the message now is. Raises bot.outbox.DeliveryError."""
        ...
