# The upkeep of network requests (I1) on real databases (SQLite and PostgreSQL) with a fixed
# clock: reminders once per working day to who holds the role now, lapses, removal of access.
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.errors import AlreadyDone, NotAllowed
from bot.network import service, upkeep
from bot.network.model import Status
from bot.network.service import NetworkDeps
from storage.engine import create_engine, session_factory
from tests.e2e.harness import SAMPLE
from tests.integration.test_network_flow import HEAD, IT, LONDON, NOW, TEACHER, World

NEW_HEAD = "a.patel@willow.example"
WEDNESDAY = NOW + timedelta(days=2)  # NOW is Monday 23 November 2026, 10:00


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    clock = ManualClock(NOW)
    deps = NetworkDeps(load_directory(SAMPLE), clock, LONDON, remind_days=2)
    yield World(deps, clock, session_factory(engine))
    await engine.dispose()


def run(world: World) -> object:
    return upkeep.run_upkeep(world.uow(), world.deps)


async def test_a_waiting_request_is_reminded_once_per_working_day(world: World) -> None:
    ref = await world.ask()
    assert await run(world) == 0
    world.clock.set(WEDNESDAY - timedelta(hours=3))  # 07:00: before working hours
    assert await run(world) == 0
    world.clock.set(WEDNESDAY)
    assert await run(world) == 1
    assert await run(world) == 0, "once a day, however often the job runs"
    reminder = f"network:{ref}:head:{HEAD}:2026-11-25:v1"
    assert reminder in await world.to(HEAD)
    row = next(r for r in await world.outbox() if r.key == reminder)
    assert row.payload and "Reminder" in row.payload["title"] and "Approve" in str(row.payload)
    world.clock.set(WEDNESDAY + timedelta(days=1))
    assert await run(world) == 1
    assert f"network:{ref}:head:{HEAD}:2026-11-26:v1" in await world.to(HEAD)
    assert (await world.audit(ref)).count("network_request.reminded") == 2

    await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    keys = await world.to(HEAD)
    assert f"network:{ref}:head:{HEAD}:2026-11-25:v2" in keys, "reminders refreshed in place"
    assert await run(world) == 0, "the wait for IT starts at the approval"
    world.clock.set(NOW + timedelta(days=8))  # Tuesday after
    assert await run(world) == 1
    assert f"network:{ref}:it:{IT}:2026-12-01:v2" in await world.to(IT)


async def test_reminders_go_to_the_headteacher_of_today(world: World, tmp_path: Path) -> None:
    ref = await world.ask()
    text = SAMPLE.read_text().replace(f"headteacher: [{HEAD}]", f"headteacher: [{NEW_HEAD}]")
    (tmp_path / "directory.yml").write_text(text)
    world.deps = NetworkDeps(
        load_directory(tmp_path / "directory.yml"), world.clock, LONDON, remind_days=2
    )
    world.clock.set(WEDNESDAY)
    assert await run(world) == 1
    assert f"network:{ref}:head:{NEW_HEAD}:2026-11-25:v1" in await world.to(NEW_HEAD)
    assert not [k for k in await world.to(HEAD) if "2026-11-25" in k]
    await service.approve(world.uow(), world.deps, ref=ref, actor=NEW_HEAD)


async def test_a_request_whose_activity_ended_lapses_and_its_buttons_refuse(
    world: World,
) -> None:
    ref = await world.ask()
    world.clock.set(NOW + timedelta(days=22))  # Tuesday 15 December: the activity ended on 12th
    with pytest.raises(AlreadyDone, match="has ended"):
        await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    assert (await world.get(ref)).status is Status.REQUESTED
    assert await run(world) == 1
    request = await world.get(ref)
    assert request.status is Status.LAPSED and request.lapsed_at == world.clock.now()
    assert f"network:{ref}:lapsed" in await world.to(TEACHER)
    assert f"network:{ref}:head:{HEAD}:v2" in await world.to(HEAD), "card updated in place"
    before = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="lapsed"):
        await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    assert await run(world) == 0
    assert await world.fingerprint(ref) == before
    assert "network_request.lapsed" in await world.audit(ref)


async def test_an_approved_request_not_applied_lapses_and_it_is_told(world: World) -> None:
    ref = await world.ask()
    await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    world.clock.set(NOW + timedelta(days=22))
    assert await run(world) == 1
    assert f"network:{ref}:lapsed:{IT}" in await world.to(IT)
    assert f"network:{ref}:it:{IT}:v3" in await world.to(IT)
    with pytest.raises(AlreadyDone, match="lapsed"):
        await service.complete(world.uow(), world.deps, ref=ref, actor=IT)


async def test_ended_access_is_asked_for_once_and_removed_once(world: World) -> None:
    ref = await world.ask()
    await service.approve(world.uow(), world.deps, ref=ref, actor=HEAD)
    await service.complete(world.uow(), world.deps, ref=ref, actor=IT)
    world.clock.set(NOW + timedelta(days=21, hours=-1))  # Monday 14th, 09:00
    assert await run(world) == 1
    assert await run(world) == 0
    world.clock.advance(timedelta(days=1))
    assert await run(world) == 0, "asked once"
    assert f"network:{ref}:end:{IT}:v3" in await world.to(IT)
    world.clock.advance(timedelta(days=1))  # Wednesday: two working days and not yet removed
    assert await run(world) == 1
    assert await run(world) == 0, "reminded once a day"
    reminder = f"network:{ref}:end:{IT}:2026-12-16"
    assert f"{reminder}:v3" in await world.to(IT)

    with pytest.raises(NotAllowed, match="IT provider"):
        await service.access_removed(world.uow(), world.deps, ref=ref, actor=HEAD)
    done = await service.access_removed(world.uow(), world.deps, ref=ref, actor=IT)
    assert done.status is Status.ENDED and done.removed_by == IT
    assert f"network:{ref}:removed" in await world.to(TEACHER)
    assert f"network:{ref}:end:{IT}:v4" in await world.to(IT)
    assert f"{reminder}:v4" in await world.to(IT), "the reminder loses its button too"
    before = await world.fingerprint(ref)
    with pytest.raises(AlreadyDone, match="already removed"):
        await service.access_removed(world.uow(), world.deps, ref=ref, actor=IT)
    assert await world.fingerprint(ref) == before
    actions = await world.audit(ref)
    assert actions[-3:] == [
        "network_request.removal_asked",
        "network_request.reminded",
        "network_request.access_removed",
    ]
