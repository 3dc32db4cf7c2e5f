# Network access for pupils and unblock requests (I1) on real databases (SQLite and PostgreSQL):
# the Headteacher approves or declines, the IT provider applies, unblocks or declines; every
# role is authorised at each click, refusals and second clicks change nothing.
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.errors import AlreadyDone, NotAllowed
from bot.network import service
from bot.network.forms import PlatformInput, UnblockInput
from bot.network.model import NetworkRequest, Status
from bot.network.service import NetworkDeps
from storage.audit import SqlAuditLog
from storage.engine import create_engine, session_factory
from storage.tables import AuditRow, NetworkRequestRow, OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
IT = "helpdesk@itpartner.example"
OTHERS = {  # everyone else, by role: none of them may decide a Willow request
    "another teacher": "a.patel@willow.example",
    "office": "k.holt@willow.example",
    "safeguarding lead": "j.whitaker@willow.example",
    "another school's Headteacher": "m.obrien@oakfield.example",
    "Head of Comms": "h.whitfield@trust.example",
    "ELT": "r.ashworth@trust.example",
    "board": "m.ellison@trust.example",
    "hub staff": "m.jennings@trust.example",
}


@dataclass
class World:
    deps: NetworkDeps
    clock: ManualClock
    sessions: object

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)  # type: ignore[arg-type]

    async def outbox(self) -> list[OutboxRow]:
        async with self.sessions() as session:  # type: ignore[operator]
            return list((await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all())

    async def to(self, email: str) -> list[str]:
        return [row.key for row in await self.outbox() if row.recipient == email]

    async def audit(self, ref: str) -> list[str]:
        async with self.sessions() as session:  # type: ignore[operator]
            events = await SqlAuditLog(session).for_record("network_request", ref)
        return [e.action for e in events]

    async def fingerprint(self, ref: str) -> tuple[object, ...]:
        """Everything a click could change: the request, the outbox and the audit trail."""
        async with self.sessions() as session:  # type: ignore[operator]
            row = (
                await session.exec(select(NetworkRequestRow).where(NetworkRequestRow.ref == ref))
            ).one()
            outbox = (await session.exec(select(func.count()).select_from(OutboxRow))).one()
            audit = (await session.exec(select(func.count()).select_from(AuditRow))).one()
        return row.model_dump(), outbox, audit

    async def ask(self, email: str = TEACHER, site: str = "willow", key: str = "") -> str:
        data = PlatformInput(
            site_id=site,
            class_name="Year 6 Maple",
            platform="Instagram",
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 12),
            reason="A media studies unit on how campaigns use images.",
        )
        done = await service.request_platform(
            self.uow(),
            self.deps,
            requester=email,
            data=data,
            source_key=key or f"test:{email}:{self.clock.now().timestamp()}",
        )
        self.clock.advance(timedelta(seconds=1))
        return done.request.ref

    async def ask_unblock(self, email: str = TEACHER) -> str:
        data = UnblockInput(
            site_id="willow", address="https://www.nasa.gov/learning", reason="Science lesson."
        )
        done = await service.request_unblock(
            self.uow(),
            self.deps,
            requester=email,
            data=data,
            source_key=f"test:unblock:{email}:{self.clock.now().timestamp()}",
        )
        self.clock.advance(timedelta(seconds=1))
        return done.request.ref

    async def get(self, ref: str) -> NetworkRequest:
        async with self.uow() as uow:
            found = await uow.network.get(ref)
        assert found is not None
        return found


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(NOW)
    deps = NetworkDeps(load_directory(SAMPLE), clock, LONDON)
    yield World(deps, clock, session_factory(engine))
    await engine.dispose()


async def test_head_approves_it_applies_and_the_requester_hears_each_step(world: World) -> None:
    ref = await world.ask()
    assert ref == f"NW-{NOW.year}-0001"
    assert await world.to(HEAD) == [f"network:{ref}:head:{HEAD}:v1"]
    assert await world.to(TEACHER) == [f"network:{ref}:receipt"]
    assert await world.to(IT) == []

    approved = await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    assert approved.status is Status.APPROVED
    assert await world.to(IT) == [f"network:{ref}:it:{IT}:v2"]
    assert await world.to(HEAD) == [
        f"network:{ref}:head:{HEAD}:v1",
        f"network:{ref}:head:{HEAD}:v2",
    ]

    done = await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    assert done.status is Status.DONE and done.done_by == IT
    assert await world.to(TEACHER) == [
        f"network:{ref}:receipt",
        f"network:{ref}:approved",
        f"network:{ref}:done",
    ]
    refreshed = {(r.recipient, r.key.rsplit(":", 1)[1]) for r in await world.outbox() if r.replace}
    assert refreshed == {(HEAD, "v2"), (HEAD, "v3"), (IT, "v3")}
    assert await world.audit(ref) == [
        "network_request.requested",
        "network_request.approved",
        "network_request.done",
    ]


async def test_the_audit_keeps_ids_and_flags_never_what_people_wrote(world: World) -> None:
    ref = await world.ask()
    await service.decline(world.uow(), world.deps, ref=ref, actor=HEAD, reason="Not this term.")
    async with world.sessions() as session:  # type: ignore[operator]
        rows = (await session.exec(select(AuditRow))).all()
    written = str([(r.before, r.after, r.detail) for r in rows])
    for text in ("Not this term", "Year 6 Maple", "media studies"):
        assert text not in written
    assert "declined" in written and HEAD in written


@pytest.mark.parametrize("role", [*OTHERS, "requester", "IT provider"])
async def test_only_the_site_headteacher_may_approve_or_decline(world: World, role: str) -> None:
    actor = {"requester": TEACHER, "IT provider": IT}.get(role) or OTHERS[role]
    ref = await world.ask()
    before = await world.fingerprint(ref)
    with pytest.raises(NotAllowed, match="Only the Headteacher of Willow Primary School"):
        await service.approve(world.uow(), world.deps, ref=ref, actor=actor)
    with pytest.raises(NotAllowed):
        await service.check_can_decline(world.uow(), world.deps, ref=ref, actor=actor)
    with pytest.raises(NotAllowed):
        await service.decline(world.uow(), world.deps, ref=ref, actor=actor, reason="No.")
    assert await world.fingerprint(ref) == before


@pytest.mark.parametrize("role", [*OTHERS, "requester", "Headteacher"])
async def test_only_the_it_provider_may_mark_measures_applied(world: World, role: str) -> None:
    actor = {"requester": TEACHER, "Headteacher": HEAD}.get(role) or OTHERS[role]
    ref = await world.ask()
    await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    before = await world.fingerprint(ref)
    with pytest.raises(NotAllowed, match="Only the Trust's IT provider"):
        await service.complete(world.uow(), world.deps, ref=ref, actor=actor)
    assert await world.fingerprint(ref) == before


async def test_it_cannot_apply_before_the_headteacher_approves(world: World) -> None:
    ref = await world.ask()
    before = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="still waiting"):
        await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    assert await world.fingerprint(ref) == before


async def test_second_clicks_change_nothing(world: World) -> None:
    ref = await world.ask()
    await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    before = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="already approved by Sarah Thompson"):
        await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    with pytest.raises(AlreadyDone):
        await service.decline(world.uow(), world.deps, ref=ref, actor=HEAD, reason="Changed")
    assert await world.fingerprint(ref) == before
    await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    after = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="already applied by"):
        await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    assert await world.fingerprint(ref) == after


async def test_headteacher_declines_with_a_reason_and_the_requester_is_told(world: World) -> None:
    ref = await world.ask()
    await service.check_can_decline(world.uow(), world.deps, ref=ref, actor=HEAD)
    await service.decline(world.uow(), world.deps, ref=ref, actor=HEAD, reason="Not this term.")
    told = [r for r in await world.outbox() if r.key == f"network:{ref}:declined"]
    assert told[0].recipient == TEACHER
    assert "Not this term." in str(told[0].payload)
    assert await world.to(IT) == []
    before = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="already declined by Sarah Thompson"):
        await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    with pytest.raises(AlreadyDone):
        await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    assert await world.fingerprint(ref) == before


async def test_a_resubmitted_form_makes_one_request(world: World) -> None:
    first = await world.ask(key="slack:view:V1")
    second = await world.ask(key="slack:view:V1")
    assert first == second
    async with world.sessions() as session:  # type: ignore[operator]
        count = (await session.exec(select(func.count()).select_from(NetworkRequestRow))).one()
    assert count == 1
    assert len(await world.to(HEAD)) == 1


async def test_a_headteachers_own_request_goes_straight_to_it(world: World) -> None:
    ref = await world.ask(email=HEAD)
    request = await world.get(ref)
    assert request.status is Status.APPROVED and request.approved_by == HEAD
    assert await world.to(IT) == [f"network:{ref}:it:{IT}:v2"]
    assert f"network:{ref}:head:{HEAD}:v1" not in await world.to(HEAD)


async def test_asking_for_a_school_you_are_not_at_is_refused(world: World) -> None:
    with pytest.raises(NotAllowed, match="your own schools"):
        await world.ask(site="oakfield")
    async with world.sessions() as session:  # type: ignore[operator]
        assert (await session.exec(select(func.count()).select_from(NetworkRequestRow))).one() == 0


async def test_unblock_goes_to_it_who_unblocks_it(world: World) -> None:
    ref = await world.ask_unblock()
    assert ref == f"UB-{NOW.year}-0001"
    assert await world.to(IT) == [f"network:{ref}:it:{IT}:v1"]
    assert await world.to(HEAD) == []
    for actor in (HEAD, TEACHER, *OTHERS.values()):
        before = await world.fingerprint(ref)
        with pytest.raises(NotAllowed, match="Only the Trust's IT provider"):
            await service.complete(world.uow(), world.deps, ref=ref, actor=actor)
        with pytest.raises(NotAllowed):
            await service.approve(world.uow(), world.deps, ref=ref, actor=actor)
        assert await world.fingerprint(ref) == before
    await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    assert await world.to(TEACHER) == [f"network:{ref}:receipt", f"network:{ref}:done"]
    with pytest.raises(AlreadyDone, match="already unblocked"):
        await service.complete(world.uow(), world.deps, ref=ref, actor=IT)


async def test_it_declines_an_unblock_with_a_reason(world: World) -> None:
    ref = await world.ask_unblock()
    for actor in (HEAD, TEACHER):
        with pytest.raises(NotAllowed):
            await service.decline(world.uow(), world.deps, ref=ref, actor=actor, reason="No")
    await service.decline(world.uow(), world.deps, ref=ref, actor=IT, reason="It hosts malware.")
    told = [r for r in await world.outbox() if r.key == f"network:{ref}:declined"]
    assert told[0].recipient == TEACHER and "It hosts malware." in str(told[0].payload)
    assert await world.audit(ref) == ["network_request.requested", "network_request.declined"]
    before = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="already declined"):
        await service.decline(world.uow(), world.deps, ref=ref, actor=IT, reason="Again")
    assert await world.fingerprint(ref) == before


async def test_home_shows_each_person_what_waits_for_them(world: World) -> None:
    platform = await world.ask()
    unblock = await world.ask_unblock()
    head = await service.for_home(world.uow(), world.deps, email=HEAD)
    assert [r.ref for r in head.to_decide] == [platform] and not head.to_do
    other = await service.for_home(
        world.uow(), world.deps, email=OTHERS["another school's Headteacher"]
    )
    assert not other.to_decide
    it = await service.for_home(world.uow(), world.deps, email=IT)
    assert [r.ref for r in it.to_do] == [unblock]
    await service.approve(world.uow(), world.deps, ref=platform, actor=HEAD)
    it = await service.for_home(world.uow(), world.deps, email=IT)
    assert [r.ref for r in it.to_do] == [platform, unblock]
    mine = await service.for_home(world.uow(), world.deps, email=TEACHER)
    assert [r.ref for r in mine.mine] == [unblock, platform]


async def test_a_double_click_at_the_same_moment_counts_once(world: World) -> None:
    ref = await world.ask()
    results = await asyncio.gather(
        service.approve(world.uow(), world.deps, ref=ref, actor=HEAD),
        service.decline(world.uow(), world.deps, ref=ref, actor=HEAD, reason="No."),
        return_exceptions=True,
    )
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(lost) == 1 and isinstance(lost[0], AlreadyDone), results
    results = await asyncio.gather(
        *(service.complete(world.uow(), world.deps, ref=ref, actor=IT) for _ in range(2)),
        return_exceptions=True,
    )
    assert len(await world.audit(ref)) == 2 + sum(not isinstance(r, BaseException) for r in results)
    keys = [r.key for r in await world.outbox()]
    assert keys.count(f"network:{ref}:done") <= 1
    assert (
        len([k for k in keys if k in (f"network:{ref}:approved", f"network:{ref}:declined")]) == 1
    )
