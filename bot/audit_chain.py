# The audit trail's hash chain: each event's SHA-256 covers its fields and the hash before it.
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64  # the prev_hash of the first event ever written


@dataclass(frozen=True)
class ChainedEvent:
    """An audit event as stored: its id, its fields, and the two hashes that chain it."""

    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str


def _at(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes an event's hash covers: sorted-key compact JSON of its fields and prev_hash.
    `detail` counts as null when empty, as the store writes it."""
    body = {
        "at": _at(fields["at"]),
        "actor": fields["actor"],
        "action": fields["action"],
        "record_type": fields["record_type"],
        "record_id": fields["record_id"],
        "before": fields.get("before"),
        "after": fields.get("after"),
        "detail": fields.get("detail") or None,
        "prev_hash": prev_hash,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode("utf-8")


def event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The SHA-256 (hex) of one event chained after `prev_hash`."""
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


@dataclass(frozen=True)
class Break:
    """Where the chain stops holding: the event found there and what is wrong with it."""

    event: ChainedEvent | None  # None when events at either end of the trail are missing
    problem: str  # "changed" | "removed before" | "removed after" | "unrecorded anchor"

    def describe(self) -> str:
        if self.problem == "unrecorded anchor":
            return (
                "the oldest events were removed without a retention run recording it "
                "(the chain's anchor matches no retention.applied event)"
            )
        if self.event is None:
            return "the last event(s) of the trail were removed"
        e = self.event
        where = f"event {e.id} ({_at(e.at)}, {e.action} on {e.record_type} {e.record_id})"
        if self.problem == "changed":
            return f"{where} was changed"
        return f"an event just before {where} was removed (or the chain was re-ordered)"


@dataclass(frozen=True)
class Verdict:
    count: int
    head_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


class Walker:
    """Walks the chain in id order from `anchor` (the hash of the last event pruned by
    retention, or GENESIS), one event at a time, and stops at the first break."""

    def __init__(self, anchor: str = GENESIS) -> None:
        self.expected = anchor
        self.count = 0
        self.broken: Break | None = None

    def feed(self, event: ChainedEvent) -> bool:
        """Check the next event; False once the chain is broken."""
        if self.broken:
            return False
        self.count += 1
        if event.prev_hash != self.expected:
            self.broken = Break(event, "removed before")
        elif event_hash(event.__dict__, event.prev_hash) != event.hash:
            self.broken = Break(event, "changed")
        else:
            self.expected = event.hash
        return self.broken is None

    def finish(self, head: str | None) -> Verdict:
        """The verdict; `head` is the hash the store last wrote, so a trail ending elsewhere
        lost its last events."""
        if self.broken is None and head is not None and head != self.expected:
            self.broken = Break(None, "removed after")
        return Verdict(self.count, self.expected, self.broken)


def verify(
    events: Iterable[ChainedEvent], *, anchor: str = GENESIS, head: str | None = None
) -> Verdict:
    """Walk `events` (in id order) and return the verdict: the first break, or intact."""
    walker = Walker(anchor)
    for event in events:
        if not walker.feed(event):
            break
    return walker.finish(head)
