# The audit hash chain, without a database: canonical form, hashes, and where verify stops.
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from bot.audit_chain import GENESIS, ChainedEvent, canonical, event_hash, verify

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def chain(count: int, anchor: str = GENESIS) -> list[ChainedEvent]:
    events, prev = [], anchor
    for n in range(count):
        fields = {
            "at": AT + timedelta(minutes=n),
            "actor": "head@x.org",
            "action": f"report.step{n}",
            "record_type": "report",
            "record_id": str(n),
            "before": None,
            "after": {"status": "open", "n": n},
            "detail": {},
        }
        digest = event_hash(fields, prev)
        events.append(ChainedEvent(id=n + 1, **fields, prev_hash=prev, hash=digest))
        prev = digest
    return events


def test_canonical_form_ignores_key_order_zone_and_empty_detail() -> None:
    fields = {
        "at": AT,
        "actor": "a",
        "action": "x",
        "record_type": "t",
        "record_id": "1",
        "after": {"b": 1, "a": "é"},
        "detail": {},
    }
    same = {**fields, "at": AT.astimezone(timezone(timedelta(hours=2))), "detail": None}
    assert canonical(fields, GENESIS) == canonical(same, GENESIS)
    assert b'"after":{"a":"\xc3\xa9","b":1}' in canonical(fields, GENESIS)
    assert event_hash(fields, GENESIS) != event_hash(fields, "1" * 64)


def test_an_intact_chain_verifies_with_its_head() -> None:
    events = chain(5)
    verdict = verify(events, head=events[-1].hash)
    assert verdict.intact and verdict.count == 5 and verdict.head_hash == events[-1].hash
    assert verify([], head=GENESIS).intact


def test_verify_names_the_changed_event() -> None:
    events = chain(5)
    events[2] = replace(events[2], actor="someone else")
    broken = verify(events).broken
    assert broken is not None and broken.event is not None
    assert (broken.event.id, broken.problem) == (3, "changed")
    assert broken.describe() == (
        "event 3 (2026-11-24T09:32:00.000000Z, report.step2 on report 2) was changed"
    )


def test_verify_names_the_event_after_a_removed_one() -> None:
    events = chain(5)
    del events[1]
    broken = verify(events).broken
    assert broken is not None and broken.event is not None
    assert (broken.event.id, broken.problem) == (3, "removed before")


def test_a_rewritten_event_with_its_own_hash_breaks_the_next_link() -> None:
    events = chain(4)
    fields = {**events[1].__dict__, "actor": "forger"}
    events[1] = replace(events[1], actor="forger", hash=event_hash(fields, events[1].prev_hash))
    broken = verify(events).broken
    assert broken is not None and broken.event is not None and broken.event.id == 3


def test_a_pruned_chain_verifies_from_its_anchor_and_a_lost_tail_is_seen() -> None:
    events = chain(6)
    kept = events[3:]
    assert verify(kept, anchor=events[2].hash, head=events[-1].hash).intact
    assert not verify(kept, head=events[-1].hash).intact  # without the anchor it is not
    lost = verify(events[:-1], head=events[-1].hash)
    assert lost.broken is not None and lost.broken.event is None
