# Post requests on real databases with a fake clock: concurrent sign-offs give one result,
# nudges come once a day, expiry once, delegation hands the card over (rules A1, A3).
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.errors import AlreadyDone, NotAllowed
from bot.posts import service
from bot.posts.deps import PostDeps
from bot.posts.form import PostInput
from bot.posts.model import Confirmation, Decision, Objective, Shows, Status
from storage.engine import create_engine, session_factory
from storage.tables import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON).astimezone(UTC)
TEACHER, HEAD = "d.hughes@willow.example", "s.thompson@willow.example"
COMMS, OAKFIELD_HEAD = "h.whitfield@trust.example", "m.obrien@oakfield.example"


@dataclass
class World:
    deps: PostDeps
    clock: ManualClock
    sessions: object

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)  # type: ignore[arg-type]

    async def outbox(self, recipient: str | None = None) -> list[OutboxRow]:
        async with self.sessions() as session:  # type: ignore[operator]
            rows = (await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all()
        return [r for r in rows if recipient is None or r.recipient == recipient]

    async def submit(self, **changes: object) -> str:
        values: dict[str, object] = {
            "account_id": "willow-x",
            "objective": Objective.EVENT,
            "text": "Sports day on Friday.",
            "publish_at": MONDAY_9 + timedelta(days=3),
            "media_links": (),
            "shows": Shows.NONE,
            "pupil_ids": (),
            "blurred_ids": frozenset(),
            "confirmations": tuple(c.value for c in Confirmation),
        }
        values.update(changes)
        done = await service.submit(
            self.uow(),
            self.deps,
            requester=TEACHER,
            data=PostInput(**values),  # type: ignore[arg-type]
            source_key=f"test:{values['text']}:{self.clock.now()}",
        )
        return done.post.ref

    async def decide(self, ref: str, actor: str, decision: Decision = Decision.APPROVED) -> object:
        return await service.decide(
            self.uow(),
            self.deps,
            ref=ref,
            version=1,
            actor=actor,
            decision=decision,
            comment=None if decision is Decision.APPROVED else "Because.",
        )


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(MONDAY_9)
    deps = PostDeps(load_directory(SAMPLE), clock, LONDON)
    yield World(deps, clock, session_factory(engine))
    await engine.dispose()


async def test_two_approvers_at_once_give_one_approval(world: World) -> None:
    ref = await world.submit()
    results = await asyncio.gather(
        world.decide(ref, COMMS), world.decide(ref, HEAD), return_exceptions=True
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    async with world.uow() as uow:
        post = await uow.posts.get(ref)
    assert post is not None and post.status is Status.APPROVED
    assert len(post.signoffs) == 2
    told = [r for r in await world.outbox(TEACHER) if r.key.endswith(":approved")]
    ready = [r for r in await world.outbox(COMMS) if ":ready:" in r.key]
    assert len(ready) == 1 and len(told) >= 1


async def test_the_same_slot_twice_at_once_records_one(world: World) -> None:
    ref = await world.submit()
    results = await asyncio.gather(
        world.decide(ref, COMMS), world.decide(ref, COMMS), return_exceptions=True
    )
    assert sum(isinstance(r, AlreadyDone) for r in results) == 1
    async with world.uow() as uow:
        post = await uow.posts.get(ref)
    assert post is not None and len(post.signoffs) == 1 and post.status is Status.PENDING


async def test_nudged_once_a_day_then_expired_once(world: World) -> None:
    ref = await world.submit()
    assert await service.process_deadlines(world.uow(), world.deps) == 0
    world.clock.advance(timedelta(days=1, minutes=1))
    assert await service.process_deadlines(world.uow(), world.deps) == 1
    assert await service.process_deadlines(world.uow(), world.deps) == 0
    nudges = [r for r in await world.outbox() if ":nudge:" in r.key]
    assert {r.recipient for r in nudges} == {COMMS, HEAD}
    world.clock.advance(timedelta(days=3))
    assert await service.process_deadlines(world.uow(), world.deps) == 1
    async with world.uow() as uow:
        post = await uow.posts.get(ref)
    assert post is not None and post.status is Status.EXPIRED
    assert [r for r in await world.outbox(TEACHER) if r.key.endswith(":expired")]
    with pytest.raises(AlreadyDone):
        await world.decide(ref, HEAD)


async def test_a_delegate_gets_the_card_and_signs_for_the_head(world: World) -> None:
    ref = await world.submit()
    with pytest.raises(NotAllowed):
        await world.decide(ref, OAKFIELD_HEAD)
    await service.delegate(
        world.uow(),
        world.deps,
        actor=HEAD,
        to=OAKFIELD_HEAD,
        role="headteacher",
        until=date(2026, 11, 27),
    )
    cards = [r for r in await world.outbox(OAKFIELD_HEAD) if f"post:{ref}:card" in r.key]
    assert cards and "for Sarah Thompson" in str(cards[-1].payload)
    post = await world.decide(ref, OAKFIELD_HEAD)
    signoff = post.signoffs[0]  # type: ignore[attr-defined]
    assert signoff.email == OAKFIELD_HEAD and signoff.on_behalf_of == HEAD
    with pytest.raises(AlreadyDone, match="already signed"):
        await world.decide(ref, HEAD)


async def test_a_new_version_voids_earlier_sign_offs(world: World) -> None:
    ref = await world.submit()
    await world.decide(ref, COMMS)
    await world.decide(ref, HEAD, Decision.CHANGES)
    data = PostInput(
        account_id="willow-x",
        objective=Objective.EVENT,
        text="Sports day on Friday at 1pm.",
        publish_at=MONDAY_9 + timedelta(days=3),
        media_links=(),
        shows=Shows.NONE,
        pupil_ids=(),
        blurred_ids=frozenset(),
        confirmations=tuple(c.value for c in Confirmation),
    )
    done = await service.submit(
        world.uow(), world.deps, requester=TEACHER, data=data, source_key="v2", ref=ref
    )
    again = await service.submit(
        world.uow(), world.deps, requester=TEACHER, data=data, source_key="v2", ref=ref
    )
    assert done.post.version == 2 and not again.created and again.post.version == 2
    assert done.post.status is Status.PENDING and done.post.signoffs_of() == []
    assert len(done.post.signoffs) == 2  # the history is kept
    with pytest.raises(AlreadyDone, match="replaced"):
        await world.decide(ref, COMMS)
