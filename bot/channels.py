# Which chat channel reaches each person in a Trust that uses both Slack and Teams, and the
# chat sender that routes every outbox message through the chosen one.
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.delivery import Envelope, Sender
from bot.directory import Directory

log = logging.getLogger(__name__)
CHANNELS = ("slack", "teams")
SEP = "|"  # a ref "teams|<where>" belongs to Teams; untagged refs are Slack's ("D123:ts")


def choose_channel(
    *,
    available: tuple[str, ...],
    person: str | None = None,
    sites: tuple[str | None, ...] = (),
    last_seen: Mapping[str, datetime | None] | None = None,
    teams_only_id: bool = False,
) -> str:
    """The channel to reach one person on, among `available` (in order of preference when
    nothing else decides): their own setting (`channel:` on the person in the directory), then
    their sites' (the first site that sets one), then the channel they last used, then Teams
    when the directory gives only a Teams id, then the first available."""
    if not available:
        raise ValueError("no chat channel is configured")
    for wanted in (person, *sites):
        if wanted in available:
            return wanted
    seen = [(when, channel) for channel, when in (last_seen or {}).items() if when]
    seen = [(when, channel) for when, channel in seen if channel in available]
    if seen:
        return max(seen)[1]
    if teams_only_id and "teams" in available:
        return "teams"
    return available[0]


def ref_channel(ref: str) -> str:
    """The channel a delivery ref belongs to."""
    head, sep, _ = ref.partition(SEP)
    return head if sep and head in CHANNELS else "slack"


class LastSeen(Protocol):
    async def last_seen(self, email: str) -> dict[str, datetime | None]:
        """When the person last used each chat channel (None: never, or not recorded)."""
        ...


@dataclass(frozen=True)
class ChatRouter:
    """Implements bot.delivery.Sender for `chat` items: picks Slack or Teams per person with
    `choose_channel`, and hands over `previous` only when it was delivered on that channel
    (a Slack message cannot be updated through Teams, nor the reverse: a new one is sent)."""

    senders: Mapping[str, Sender]
    directory: Callable[[], Directory]
    seen: LastSeen
    channel: str = "chat"

    async def deliver(self, envelope: Envelope) -> str:
        chosen = await self.choose(envelope.recipient)
        previous = envelope.previous
        if previous and ref_channel(previous) != chosen:
            previous = None
        return await self.senders[chosen].deliver(replace(envelope, previous=previous))

    async def choose(self, email: str) -> str:
        available = tuple(c for c in CHANNELS if c in self.senders)
        if len(available) == 1:
            return available[0]
        directory = self.directory()
        person = directory.person(email)
        return choose_channel(
            available=available,
            person=person.channel if person else None,
            sites=tuple(site.channel for site in directory.sites_of(email)),
            last_seen=await self.seen.last_seen(email),
            teams_only_id=bool(person and person.teams_id and not person.slack_id),
        )
