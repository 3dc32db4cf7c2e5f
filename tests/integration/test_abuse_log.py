# The abuse log (rule M7) on SQLite and PostgreSQL: logging, who sees what, status changes that
# are authorised and idempotent, the escalation nudge on a fake clock, and misuse reports.
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.abuse import service
from bot.abuse.model import AbuseEntry, Status
from bot.clock import ManualClock
from bot.directory import Directory, load_directory
from bot.errors import AlreadyDone, NotAllowed
from bot.reports import service as reports
from bot.reports.form import ReportInput
from bot.reports.model import Category
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.tables import AuditRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
MONDAY = date(2026, 11, 23)
MONDAY_10 = datetime.combine(MONDAY, time(10), LONDON).astimezone(UTC)
COMMS, TEACHER = "h.whitfield@trust.example", "d.hughes@willow.example"
WILLOW_HEAD, OAK_HEAD = "s.thompson@willow.example", "m.obrien@oakfield.example"
OAK_TEACHER, STRANGER = "o.davies@oakfield.example", "someone@elsewhere.example"


@dataclass
class World:
    engine: Any
    sessions: Any
    clock: ManualClock
    directory: Directory

    @property
    def deps(self) -> service.AbuseDeps:
        return service.AbuseDeps(self.directory, self.clock, HOURS, escalate_days=7)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)

    async def log(self, by: str = TEACHER, key: str | None = None, **changes: object) -> AbuseEntry:
        values: dict[str, object] = {
            "site": "willow",
            "platform": "Facebook",
            "account": "Willow PTA page",
            "link": "https://facebook.com/willowpta/posts/1",
            "author": "@angryparent",
            "seen_at": (self.clock.now() - timedelta(hours=1)).isoformat(),
            "kind": "abuse_of_staff",
            "screenshot": "https://trust.sharepoint.com/evidence/1.png",
            "done": ["hidden"],
            "note": "Called a teacher names.",
        } | changes
        done = await service.submit(
            self.uow(),
            self.deps,
            by=by,
            values={k: v for k, v in values.items() if v is not None},
            source_key=key or f"test:{by}:{self.clock.now()}:{changes}",
        )
        return done.entry

    async def get(self, ref: str) -> AbuseEntry:
        async with self.uow() as uow:
            found = await uow.abuse.get(ref)
        assert found is not None
        return found

    async def keys(self, part: str = "") -> list[str]:
        async with self.sessions() as session:
            rows = (await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all()
        return [r.key for r in rows if part in r.key]

    async def audit(self) -> list[AuditRow]:
        async with self.sessions() as session:
            query = select(AuditRow).where(AuditRow.record_type == "abuse_entry")
            return list((await session.exec(query.order_by(AuditRow.id))).all())

    async def snapshot(self, ref: str) -> tuple[object, ...]:
        return (await self.get(ref), await self.keys(), len(await self.audit()))

    async def seen_by(self, email: str) -> set[str]:
        _scope, entries = await service.visible_to(self.uow(), self.deps, email=email)
        return {e.ref for e in entries}


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    yield World(engine, session_factory(engine), ManualClock(MONDAY_10), load_directory(SAMPLE))
    await engine.dispose()


def card_keys(ref: str, revision: int, *emails: str) -> set[str]:
    return {f"abuse:{ref}:card:{e}:v{revision}" for e in emails}


async def test_an_entry_is_recorded_with_the_bots_time_and_carded_to_its_keepers(
    world: World,
) -> None:
    entry = await world.log(key="slack:view:1")
    assert entry.ref == "AL-2026-0001" and entry.status is Status.OPEN
    stored = await world.get(entry.ref)
    assert stored.logged_at == MONDAY_10
    assert stored.screenshot_url == "https://trust.sharepoint.com/evidence/1.png"
    assert stored.seen_at == MONDAY_10 - timedelta(hours=1)
    assert set(await world.keys()) == card_keys(entry.ref, 1, COMMS, WILLOW_HEAD)
    [event] = await world.audit()
    assert event.action == "abuse.logged" and event.actor == TEACHER
    text = str(event.after) + str(event.detail)
    assert "angryparent" not in text and "names" not in text and "facebook.com" not in text

    before = await world.snapshot(entry.ref)
    again = await world.log(key="slack:view:1")
    assert again.ref == entry.ref and await world.snapshot(entry.ref) == before


async def test_an_entry_about_the_trust_goes_to_the_head_of_comms_alone(world: World) -> None:
    entry = await world.log(site="trust", done=["reported"])
    assert entry.status is Status.REPORTED and entry.status_at == MONDAY_10
    assert set(await world.keys()) == card_keys(entry.ref, 1, COMMS)


async def test_each_role_sees_only_what_it_may(world: World) -> None:
    willow = await world.log(TEACHER)
    oak = await world.log(OAK_TEACHER, site="oakfield")
    trust = await world.log(OAK_TEACHER, site="trust")
    assert len({willow.ref, oak.ref, trust.ref}) == 3
    assert await world.seen_by(COMMS) == {willow.ref, oak.ref, trust.ref}
    assert await world.seen_by(WILLOW_HEAD) == {willow.ref}
    assert await world.seen_by(OAK_HEAD) == {oak.ref}
    assert await world.seen_by(TEACHER) == {willow.ref}
    assert await world.seen_by(OAK_TEACHER) == {oak.ref, trust.ref}
    assert await world.seen_by(STRANGER) == set()
    assert await world.seen_by("j.whitaker@willow.example") == set()  # a DSL, not a keeper
    with pytest.raises(NotAllowed):
        await service.check_may_see(world.uow(), world.deps, ref=willow.ref, email=OAK_HEAD)


@pytest.mark.parametrize("who", [TEACHER, OAK_HEAD, STRANGER, "j.whitaker@willow.example"])
async def test_a_status_change_by_anyone_else_is_refused_and_changes_nothing(
    world: World, who: str
) -> None:
    entry = await world.log()
    before = await world.snapshot(entry.ref)
    with pytest.raises(NotAllowed):
        await service.set_status(
            world.uow(), world.deps, ref=entry.ref, by=who, status=Status.CLOSED
        )
    assert await world.snapshot(entry.ref) == before


async def test_keepers_move_it_along_once_per_click(world: World) -> None:
    entry = await world.log()
    ref = entry.ref
    moved = await service.set_status(
        world.uow(), world.deps, ref=ref, by=WILLOW_HEAD, status=Status.REPORTED
    )
    assert moved.status is Status.REPORTED and moved.status_by == WILLOW_HEAD
    assert card_keys(ref, 2, COMMS, WILLOW_HEAD) <= set(await world.keys())
    before = await world.snapshot(ref)
    with pytest.raises(AlreadyDone):
        await service.set_status(world.uow(), world.deps, ref=ref, by=COMMS, status=Status.REPORTED)
    assert await world.snapshot(ref) == before
    for status in (Status.POLICE, Status.CLOSED):
        await service.set_status(world.uow(), world.deps, ref=ref, by=COMMS, status=status)
    assert (await world.get(ref)).status is Status.CLOSED
    actions = [e.action for e in await world.audit()]
    assert actions == ["abuse.logged", "abuse.reported", "abuse.police", "abuse.closed"]
    assert {e.actor for e in await world.audit()} == {TEACHER, WILLOW_HEAD, COMMS}


async def test_the_head_of_comms_is_nudged_once_to_escalate(world: World) -> None:
    entry = await world.log(done=["reported"])
    fresh = await world.log()  # open: never nudged
    nudge = f"abuse:{entry.ref}:escalate:{COMMS}"
    for days in range(1, 7):
        world.clock.set(MONDAY_10 + timedelta(days=days))
        await service.send_escalation_nudges(world.uow(), world.deps)
        assert await world.keys("escalate") == [], f"nothing on day {days}"
    world.clock.set(MONDAY_10 + timedelta(days=7, hours=1))  # the next Monday, 11:00
    assert await service.send_escalation_nudges(world.uow(), world.deps) == 1
    assert await world.keys("escalate") == [nudge]
    for hours in (1, 24, 48):
        world.clock.advance(timedelta(hours=hours))
        assert await service.send_escalation_nudges(world.uow(), world.deps) == 0
    assert await world.keys("escalate") == [nudge]
    assert (await world.get(entry.ref)).nudged_at is not None
    assert (await world.get(fresh.ref)).nudged_at is None
    assert [e.action for e in await world.audit()][-1] == "abuse.escalation_nudged"


async def test_no_nudge_out_of_hours_or_once_escalated(world: World) -> None:
    entry = await world.log(key="first", done=["reported"])
    other = await world.log(key="second", done=["reported"])
    await service.set_status(world.uow(), world.deps, ref=other.ref, by=COMMS, status=Status.POLICE)
    world.clock.set(datetime.combine(MONDAY + timedelta(days=12), time(22), LONDON))  # Sat night
    assert await service.send_escalation_nudges(world.uow(), world.deps) == 0
    world.clock.set(datetime.combine(MONDAY + timedelta(days=14), time(9), LONDON))
    assert await service.send_escalation_nudges(world.uow(), world.deps) == 1
    assert await world.keys("escalate") == [f"abuse:{entry.ref}:escalate:{COMMS}"]


async def test_an_abusive_comment_report_is_logged_once(world: World) -> None:
    deps = reports.ReportDeps(world.directory, world.clock, HOURS, 2.0)
    data = ReportInput(
        site_id="oakfield",
        category=Category.ABUSIVE_COMMENT,
        description="A parent wrote that the Head is a liar.",
        happened_on=MONDAY,
        platform="Facebook",
        subject_staff=None,
        subject_name=None,
        links="https://facebook.com/x/1",
        safeguarding=False,
        on_school_device=False,
    )
    done = await reports.submit(
        world.uow(), deps, reporter=OAK_TEACHER, data=data, source_key="slack:view:r1"
    )
    again = await reports.submit(
        world.uow(), deps, reporter=OAK_TEACHER, data=data, source_key="slack:view:r1"
    )
    assert not again.created
    _scope, entries = await service.visible_to(world.uow(), world.deps, email=COMMS)
    [entry] = entries
    assert entry.report_ref == done.report.ref and entry.site_id == "oakfield"
    assert entry.link == "https://facebook.com/x/1" and entry.logged_by == OAK_TEACHER
    assert await world.seen_by(OAK_HEAD) == {entry.ref}
    assert card_keys(entry.ref, 1, COMMS, OAK_HEAD) <= set(await world.keys())

    other = ReportInput(**{**data.__dict__, "category": Category.PARENT_MISUSE})
    await reports.submit(world.uow(), deps, reporter=OAK_TEACHER, data=other, source_key="r2")
    assert len((await service.visible_to(world.uow(), world.deps, email=COMMS))[1]) == 1
