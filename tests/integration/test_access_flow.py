# Posting access and new accounts on real databases (SQLite and PostgreSQL): two sign-offs,
# concurrent clicks, revocation, duplicates, and new accounts joining the register.
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.access import service
from bot.access.forms import AccountInput
from bot.access.model import GrantStatus
from bot.access.service import AccessDeps
from bot.approvals import Delegation
from bot.clock import ManualClock
from bot.directory import load_directory
from bot.errors import AlreadyDone, NotAllowed
from storage.audit import SqlAuditLog
from storage.engine import create_engine, session_factory
from storage.tables import OutboxRow, PosterGrantRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
TEACHER = "d.hughes@willow.example"
COMMS = "h.whitfield@trust.example"
HEAD = "s.thompson@willow.example"
OAK_HEAD = "m.obrien@oakfield.example"
ELT = ("r.ashworth@trust.example", "p.sharma@trust.example")


@dataclass
class World:
    deps: AccessDeps
    clock: ManualClock
    sessions: object

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions, self.clock)  # type: ignore[arg-type]

    async def outbox(self) -> list[OutboxRow]:
        async with self.sessions() as session:  # type: ignore[operator]
            return list((await session.exec(select(OutboxRow).order_by(OutboxRow.id))).all())

    async def to(self, email: str) -> list[OutboxRow]:
        return [row for row in await self.outbox() if row.recipient == email]

    async def audit(self, record_type: str, ref: str) -> list[str]:
        async with self.sessions() as session:  # type: ignore[operator]
            events = await SqlAuditLog(session).for_record(record_type, ref)
        return [e.action for e in events]

    async def ask(self, email: str = TEACHER, account_id: str = "willow-x", key: str = "") -> str:
        done = await service.request_access(
            self.uow(),
            self.deps,
            requester=email,
            account_id=account_id,
            reason="I run the sports news.",
            source_key=key or f"test:{email}:{account_id}:{self.clock.now().timestamp()}",
        )
        self.clock.advance(timedelta(seconds=1))
        return done.grant.ref

    async def may_post(self, email: str, account_id: str) -> bool:
        return await service.may_post(self.uow(), self.deps.directory, email, account_id)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(NOW)
    deps = AccessDeps(load_directory(SAMPLE), clock, LONDON)
    yield World(deps, clock, session_factory(engine))
    await engine.dispose()


async def test_request_then_two_sign_offs_make_an_authorised_poster(world: World) -> None:
    ref = await world.ask()
    assert ref == f"PA-{NOW.year}-0001"
    cards = [r for r in await world.outbox() if r.thread and ref in r.thread]
    assert {r.recipient for r in cards} == {COMMS, HEAD}
    assert not await world.may_post(TEACHER, "willow-x")

    first = await service.approve_access(world.uow(), world.deps, ref=ref, actor=HEAD)
    assert not first.now_active
    assert not await world.may_post(TEACHER, "willow-x")
    second = await service.approve_access(world.uow(), world.deps, ref=ref, actor=COMMS)
    assert second.now_active
    assert await world.may_post(TEACHER, "willow-x")
    assert not await world.may_post(TEACHER, "willow-facebook")
    posters = await service.posters_of(world.uow(), world.deps.directory, "willow-x")
    assert posters == [COMMS, TEACHER]

    told = [r.key for r in await world.to(TEACHER)]
    assert told == [
        f"access:{ref}:receipt",
        f"access:{ref}:approved:headteacher",
        f"access:{ref}:active",
    ]
    refreshed = [r for r in await world.outbox() if r.replace and r.thread and ref in r.thread]
    assert {(r.recipient, r.key.rsplit(":", 1)[1]) for r in refreshed} == {
        (COMMS, "v2"),
        (HEAD, "v2"),
        (COMMS, "v3"),
        (HEAD, "v3"),
    }
    assert await world.audit("poster_grant", ref) == [
        "poster_grant.requested",
        "poster_grant.approved",
        "poster_grant.approved",
    ]
    with pytest.raises(AlreadyDone, match="already approved"):
        await service.approve_access(world.uow(), world.deps, ref=ref, actor=HEAD)


async def test_a_teacher_cannot_approve_and_nothing_changes(world: World) -> None:
    ref = await world.ask()
    with pytest.raises(NotAllowed):
        await service.approve_access(
            world.uow(), world.deps, ref=ref, actor="a.patel@willow.example"
        )
    with pytest.raises(NotAllowed, match="your own request"):
        await service.approve_access(world.uow(), world.deps, ref=ref, actor=TEACHER)
    assert await world.audit("poster_grant", ref) == ["poster_grant.requested"]


async def test_two_signers_at_the_same_moment_give_one_consistent_result(world: World) -> None:
    refs = [await world.ask(email=e) for e in ("a.patel@willow.example", "l.barnes@willow.example")]
    for ref in refs:
        results = await asyncio.gather(
            service.approve_access(world.uow(), world.deps, ref=ref, actor=COMMS),
            service.approve_access(world.uow(), world.deps, ref=ref, actor=HEAD),
        )
        assert sorted(r.now_active for r in results) == [False, True]
        async with world.sessions() as session:  # type: ignore[operator]
            row = (
                await session.exec(select(PosterGrantRow).where(PosterGrantRow.ref == ref))
            ).one()
        assert (row.status, row.comms_by, row.head_by) == ("active", COMMS, HEAD)
        keys = [r.key for r in await world.outbox()]
        assert keys.count(f"access:{ref}:active") == 1


async def test_two_holders_of_one_slot_at_the_same_moment_one_wins(world: World) -> None:
    ref = await world.ask(account_id="trust-instagram")
    results = await asyncio.gather(
        *(service.approve_access(world.uow(), world.deps, ref=ref, actor=e) for e in ELT),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], AlreadyDone), results
    assert "Executive Leadership Team by" in str(lost[0])
    assert await world.audit("poster_grant", ref) == [
        "poster_grant.requested",
        "poster_grant.approved",
    ]


async def test_a_delegate_receives_the_card_and_signs(world: World) -> None:
    async with world.uow() as uow:
        await uow.delegations.add(Delegation(HEAD, OAK_HEAD, "headteacher", NOW.date(), NOW))
        await uow.commit()
    ref = await world.ask()
    assert [r.key for r in await world.to(OAK_HEAD)] == [f"access:{ref}:card:{OAK_HEAD}:v1"]
    done = await service.approve_access(world.uow(), world.deps, ref=ref, actor=OAK_HEAD)
    assert done.signer.on_behalf_of == HEAD


async def test_refusal_and_revocation_tell_the_person(world: World) -> None:
    refused = await world.ask()
    await service.refuse_access(
        world.uow(), world.deps, ref=refused, actor=COMMS, reason="Ask your Head first."
    )
    with pytest.raises(AlreadyDone, match="refused by Hannah Whitfield"):
        await service.approve_access(world.uow(), world.deps, ref=refused, actor=HEAD)

    ref = await world.ask()  # allowed again once the first was refused
    for actor in (COMMS, HEAD):
        await service.approve_access(world.uow(), world.deps, ref=ref, actor=actor)
    with pytest.raises(NotAllowed):
        await service.revoke_access(
            world.uow(), world.deps, ref=ref, actor=OAK_HEAD, reason="Not mine to revoke."
        )
    await service.revoke_access(
        world.uow(), world.deps, ref=ref, actor=HEAD, reason="Left the sports team."
    )
    assert not await world.may_post(TEACHER, "willow-x")
    keys = [r.key for r in await world.to(TEACHER)]
    assert f"access:{refused}:refused" in keys and f"access:{ref}:revoked" in keys
    assert (await world.audit("poster_grant", ref))[-1] == "poster_grant.revoked"
    revoked = next(r for r in await world.to(TEACHER) if r.key == f"access:{ref}:revoked")
    assert "Left the sports team." not in str(revoked.payload["notification"])


async def test_duplicates_are_refused_and_a_resubmitted_form_changes_nothing(
    world: World,
) -> None:
    ref = await world.ask(key="slack:view:V1")
    again = await service.request_access(
        world.uow(),
        world.deps,
        requester=TEACHER,
        account_id="willow-x",
        reason="x",
        source_key="slack:view:V1",
    )
    assert again.grant.ref == ref and not again.created
    with pytest.raises(NotAllowed, match="already asked"):
        await world.ask()
    for actor in (COMMS, HEAD):
        await service.approve_access(world.uow(), world.deps, ref=ref, actor=actor)
    with pytest.raises(NotAllowed, match="already post"):
        await world.ask()
    with pytest.raises(NotAllowed, match="every official account"):
        await world.ask(email=COMMS)


async def test_head_of_comms_may_post_everywhere_and_unknown_accounts_nowhere(
    world: World,
) -> None:
    directory = world.deps.directory
    for account in await service.all_accounts(world.uow(), directory):
        assert await world.may_post(COMMS, account.id)
    assert not await world.may_post(COMMS, "no-such-account")
    assert await service.posters_of(world.uow(), directory, "no-such-account") == []
    async with world.uow() as uow:  # inside the caller's own unit of work
        assert await service.may_post(uow, directory, COMMS, "willow-x")
        assert not await service.may_post(uow, directory, TEACHER, "willow-x")


async def test_an_approved_new_account_joins_the_register_with_its_runners(
    world: World,
) -> None:
    proposal = AccountInput(
        site_id="willow",
        platform="X",
        handle="@WillowSport",
        purpose="Match results.",
        audience="Parents.",
        runners=(TEACHER, "a.patel@willow.example"),
    )
    made = await service.request_account(
        world.uow(), world.deps, requester=TEACHER, data=proposal, source_key="v:1"
    )
    ref = made.request.ref
    assert ref == f"NA-{NOW.year}-0001"
    assert [r.key for r in await world.to(COMMS)] == [f"account:{ref}:card:{COMMS}:v1"]
    with pytest.raises(NotAllowed):
        await service.approve_account(world.uow(), world.deps, ref=ref, actor=HEAD)

    done = await service.approve_account(world.uow(), world.deps, ref=ref, actor=COMMS)
    assert done.account.id == "willow-x-2"  # willow-x is the directory's
    accounts = await service.all_accounts(world.uow(), world.deps.directory)
    assert accounts[-1] == done.account and len(accounts) == 9
    for runner in proposal.runners:
        assert await world.may_post(runner, "willow-x-2")
    assert not await world.may_post(TEACHER, "willow-x")
    assert all(g.comms_by == COMMS and g.status is GrantStatus.ACTIVE for g in done.grants)
    assert {r.key for r in await world.to(TEACHER)} >= {
        f"account:{ref}:receipt",
        f"account:{ref}:approved",
        f"account:{ref}:runner:{TEACHER}",
    }
    assert [r.key for r in await world.to(HEAD)] == [f"account:{ref}:head:{HEAD}"]
    assert await world.audit("account_request", ref) == [
        "account_request.requested",
        "account_request.approved",
    ]
    with pytest.raises(AlreadyDone, match="already approved"):
        await service.approve_account(world.uow(), world.deps, ref=ref, actor=COMMS)

    declined = await service.request_account(
        world.uow(),
        world.deps,
        requester=TEACHER,
        data=AccountInput("trust", "TikTok", "@cit", "Fun.", "Everyone.", (TEACHER,)),
        source_key="v:2",
    )
    await service.decline_account(
        world.uow(), world.deps, ref=declined.request.ref, actor=COMMS, reason="Not now."
    )
    assert len(await service.all_accounts(world.uow(), world.deps.directory)) == 9


async def test_register_shows_each_viewer_their_accounts(world: World) -> None:
    ref = await world.ask()
    for actor in (COMMS, HEAD):
        await service.approve_access(world.uow(), world.deps, ref=ref, actor=actor)
    waiting = await world.ask(email="a.patel@willow.example")
    comms = await service.register(world.uow(), world.deps, viewer=COMMS)
    assert len(comms) == 8
    head = await service.register(world.uow(), world.deps, viewer=HEAD)
    assert [e.account.id for e in head] == ["willow-x", "willow-facebook"]
    assert [g.ref for g in head[0].posters] == [ref] and head[0].revocable == {ref}
    assert [g.ref for g in head[0].waiting] == [waiting]
    oak = await service.register(world.uow(), world.deps, viewer=OAK_HEAD)
    assert {e.account.site for e in oak} == {"oakfield"}
    with pytest.raises(NotAllowed):
        await service.register(world.uow(), world.deps, viewer=TEACHER)
