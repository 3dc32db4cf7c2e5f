# Exports narrow in the database (SQLite and PostgreSQL): site, the Trust's days as UTC instants,
# and what the person may see; delegates see the approval requests they could sign, no more.
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.exports.model import Filters, Kind
from bot.exports.service import ExportDeps, export_rows
from bot.narrowing import Narrowing
from bot.posts import service as posts
from bot.posts.deps import PostDeps
from storage.engine import create_engine, session_factory
from tests.e2e.harness import SAMPLE
from tests.integration.test_exports import (
    COMMS,
    LONDON,
    MONDAY,
    OAK_HEAD,
    OAK_TEACHER,
    TEACHER,
    WILLOW_HEAD,
    World,
)

RIVER_TEACHER = "b.carter@riverside.example"
WINTER = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # 23:30 on 31 January in London (GMT)
SUMMER = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London (BST)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(datetime.combine(MONDAY, time(10), LONDON).astimezone(UTC))
    yield World(session_factory(engine), clock, load_directory(SAMPLE))
    await engine.dispose()


class Counted:
    """A progress bar that remembers how many records the export looked at."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.seen = 0

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, count: int) -> None:
        self.seen += count


async def looked_at(world: World, kind: Kind, as_email: str, **filters: object) -> int:
    counted = Counted()
    deps = ExportDeps(world.directory, world.clock, LONDON)
    await export_rows(
        world.uow(),
        deps,
        kind=kind,
        as_email=as_email,
        filters=Filters(**filters),  # type: ignore[arg-type]
        actor="t",
        progress=counted,
    )
    assert counted.seen == counted.total
    return counted.total or 0


def test_the_trusts_days_become_utc_instants_in_winter_and_summer() -> None:
    winter = Filters(since=date(2026, 1, 31), until=date(2026, 1, 31)).instants(LONDON)
    assert winter == (datetime(2026, 1, 31, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    summer = Filters(since=date(2026, 6, 30), until=date(2026, 6, 30)).instants(LONDON)
    assert summer == (datetime(2026, 6, 29, 23, tzinfo=UTC), datetime(2026, 6, 30, 23, tzinfo=UTC))
    assert Filters().instants(LONDON) == (None, None)


async def test_23_30_utc_on_the_last_day_is_that_day_in_winter_the_next_in_summer(
    world: World,
) -> None:
    world.clock.set(WINTER)
    winter = await world.log_abuse(TEACHER, "willow")
    world.clock.set(SUMMER)
    summer = await world.log_abuse(TEACHER, "willow")

    async def stored(**filters: date) -> set[str]:
        since, until = Filters(**filters).instants(LONDON)  # type: ignore[arg-type]
        async with world.uow() as uow:
            found = await uow.abuse.for_export(Narrowing(since=since, until=until))
        return {e.ref for e in found}

    assert await stored(until=date(2026, 1, 31)) == {winter}  # the last day, inclusive
    assert await stored(since=date(2026, 2, 1)) == {summer}
    assert await stored(until=date(2026, 6, 30)) == {winter}  # already 1 July in London
    assert await stored(since=date(2026, 7, 1), until=date(2026, 7, 1)) == {summer}
    assert await world.refs(Kind.ABUSE, COMMS, until=date(2026, 6, 30)) == {winter}
    assert await world.refs(Kind.ABUSE, COMMS, since=date(2026, 7, 1)) == {summer}
    # only the matching record is read from the database, not the whole log
    assert await looked_at(world, Kind.ABUSE, COMMS, until=date(2026, 1, 31)) == 1


async def test_the_query_keeps_the_site_and_what_the_person_may_see(world: World) -> None:
    willow = await world.log_abuse(TEACHER, "willow")
    oak = await world.log_abuse(OAK_TEACHER, "oakfield")
    mine = await world.log_abuse(WILLOW_HEAD, "oakfield")  # a Head's own entry elsewhere
    await world.log_abuse(COMMS, "trust")
    willow_post = await world.post("willow-x", TEACHER)
    await world.post("oakfield-x", OAK_TEACHER)
    await world.post("riverside-x", RIVER_TEACHER)

    async with world.uow() as uow:
        at_oak = await uow.abuse.for_export(Narrowing(sites=["oakfield"]))
        seen = await uow.abuse.for_export(Narrowing(visible=["willow"], own=WILLOW_HEAD))
        everything = await uow.abuse.every()
    assert {e.ref for e in at_oak} == {oak, mine}
    assert {e.ref for e in seen} == {willow, mine}
    assert len(everything) == 4

    # the export reads only those records, and its rows are as before
    assert await looked_at(world, Kind.ABUSE, WILLOW_HEAD) == 2
    assert await world.refs(Kind.ABUSE, WILLOW_HEAD) == {willow, mine}
    assert await looked_at(world, Kind.ABUSE, COMMS, site="oakfield") == 2
    assert await looked_at(world, Kind.APPROVALS, WILLOW_HEAD) == 1
    assert await world.refs(Kind.APPROVALS, WILLOW_HEAD) == {willow_post}
    assert await looked_at(world, Kind.APPROVALS, COMMS) == 3
    assert await looked_at(world, Kind.APPROVALS, COMMS, site="riverside") == 1


async def test_a_delegate_sees_the_delegated_sites_requests_until_it_ends(world: World) -> None:
    willow = await world.post("willow-x", TEACHER)
    oak = await world.post("oakfield-x", OAK_TEACHER)
    river = await world.post("riverside-x", RIVER_TEACHER)
    assert await world.refs(Kind.APPROVALS, WILLOW_HEAD) == {willow}

    until = MONDAY + timedelta(days=4)  # Oakfield's Head is away; Willow's signs for them
    deps = PostDeps(world.directory, world.clock, LONDON)
    await posts.delegate(
        world.uow(), deps, actor=OAK_HEAD, to=WILLOW_HEAD, role="headteacher", until=until
    )
    later = await world.post("oakfield-facebook", OAK_TEACHER)  # made during the delegation

    assert await world.refs(Kind.APPROVALS, WILLOW_HEAD) == {willow, oak, later}
    assert river not in await world.refs(Kind.APPROVALS, WILLOW_HEAD, site="riverside")
    assert await world.refs(Kind.APPROVALS, WILLOW_HEAD, site="oakfield") == {oak, later}
    assert await looked_at(world, Kind.APPROVALS, WILLOW_HEAD) == 3  # not Riverside's

    world.on(until + timedelta(days=1))  # the delegation has expired: a former delegate
    assert await world.refs(Kind.APPROVALS, WILLOW_HEAD) == {willow}
    assert await world.refs(Kind.APPROVALS, OAK_HEAD) == {oak, later}
