# Outbox items and the retry policy of their delivery.
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from bot.messages import Message

URGENT, NORMAL, BULK = 0, 1, 2  # outbox priorities: lower goes first
# The start of the reason given when a person cannot be reached until they do something (open
# the Teams app): their messages wait, and are sent as soon as they do (OutboxQueue.resume).
NOT_REACHABLE_YET = "not reachable yet"


@dataclass(frozen=True)
class OutboxItem:
    """A message to deliver. `key` is unique: an item with the same key is never queued or sent
    twice. Items sharing a `thread` are one card: an item with `replace` updates it in place.
    `priority` orders delivery: URGENT (safeguarding and misuse alerts) goes before NORMAL,
    and BULK (campaigns, nudges, announcements) waits behind both."""

    key: str
    recipient: str
    message: Message
    thread: str | None = None
    replace: bool = False
    via: str = "chat"  # chat | email
    mail: MailAddresses | None = field(default=None)
    priority: int = NORMAL

    @classmethod
    def card(
        cls, thread: str, revision: int, recipient: str, message: Message, priority: int = NORMAL
    ) -> OutboxItem:
        """A card shown in place in its thread: queued once per revision, replacing the last."""
        return cls(
            f"{thread}:v{revision}", recipient, message, thread, replace=True, priority=priority
        )

    @classmethod
    def email(cls, key: str, mail: MailAddresses, message: Message) -> OutboxItem:
        """An e-mail, sent once per key through the configured mailer (Graph or SMTP). Its
        queue position is its first address, apart from that person's chat messages."""
        return cls(key, f"mail:{mail.to[0]}", message, via="email", mail=mail)


@dataclass(frozen=True)
class MailAddresses:
    """Who an e-mail goes to: `to` and `cc`, and where replies should go."""

    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    reply_to: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"to": list(self.to), "cc": list(self.cc), "reply_to": self.reply_to}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> MailAddresses:
        to, cc, reply_to = data.get("to") or [], data.get("cc") or [], data.get("reply_to")
        assert isinstance(to, list) and isinstance(cc, list)
        return cls(tuple(map(str, to)), tuple(map(str, cc)), str(reply_to) if reply_to else None)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """How long to wait after `attempts` failed tries: exponential with jitter, and never
        less than what the platform asked for with Retry-After."""
        backoff = self.base_seconds * 2 ** max(0, attempts - 1) * random.uniform(0.8, 1.2)
        return timedelta(seconds=max(min(backoff, self.max_seconds), retry_after or 0.0))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


class DeliveryError(Exception):
    """A send failed. `retry_after` is the platform's own wish, when it gave one;
    `permanent` means trying again cannot help (for example, no such user); `throttled` means
    it was not tried yet because of rate limits, which is not a failed attempt."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        throttled: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent
        self.throttled = throttled
