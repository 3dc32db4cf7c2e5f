# The sender port: how the delivery worker hands a message to a chat platform.
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Message


@dataclass(frozen=True)
class Envelope:
    """One message on its way. `previous` is where this thread's card was delivered before
    (to update it in place); `recovering` means an earlier attempt may have got through."""

    item_id: int
    recipient: str
    message: Message
    previous: str | None
    recovering: bool


class Sender(Protocol):
    channel: str

    async def deliver(self, envelope: Envelope) -> str:
        """Send or update; return where the message now is. Raises bot.outbox.DeliveryError."""
        ...
