# Job leases and job runs on SQLite and PostgreSQL: take, renew, expire, release; claim a
# period once; the leader wrapper with two "replicas" sharing one database.
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock, SystemClock
from scheduler.leader import Leader
from storage.engine import create_engine, session_factory
from storage.leases import SqlJobLeases, SqlJobRuns

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
TTL = timedelta(seconds=30)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Any]:
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


async def test_a_free_lease_is_taken_renewed_by_its_holder_and_refused_to_others(
    sessions: Any,
) -> None:
    leases = SqlJobLeases(sessions)
    assert await leases.acquire("deadlines", "a", NOW, TTL)
    assert not await leases.acquire("deadlines", "b", NOW + timedelta(seconds=29), TTL)
    assert await leases.acquire("deadlines", "a", NOW + timedelta(seconds=20), TTL)
    assert not await leases.acquire("deadlines", "b", NOW + timedelta(seconds=49), TTL)
    assert await leases.acquire("tasks", "b", NOW, TTL)  # another job, another lease
    assert await leases.holders() == {
        "deadlines": ("a", NOW + timedelta(seconds=50)),
        "tasks": ("b", NOW + TTL),
    }


async def test_an_expired_lease_is_taken_over(sessions: Any) -> None:
    leases = SqlJobLeases(sessions)
    assert await leases.acquire("deadlines", "a", NOW, TTL)
    assert await leases.acquire("deadlines", "b", NOW + TTL + timedelta(microseconds=1), TTL)
    assert not await leases.acquire("deadlines", "a", NOW + TTL + timedelta(seconds=1), TTL)
    assert (await leases.holders())["deadlines"][0] == "b"


async def test_release_frees_the_lease_only_for_its_holder(sessions: Any) -> None:
    leases = SqlJobLeases(sessions)
    assert await leases.acquire("deadlines", "a", NOW, TTL)
    await leases.release("deadlines", "b")
    assert not await leases.acquire("deadlines", "b", NOW, TTL)
    await leases.release("deadlines", "a")
    assert await leases.acquire("deadlines", "b", NOW, TTL)


async def test_of_many_racing_for_a_free_lease_one_wins(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(8)]  # a connection each
    try:
        tries = [
            SqlJobLeases(session_factory(engine)).acquire("deadlines", f"r{n}", NOW, TTL)
            for n, engine in enumerate(engines)
        ]
        assert sum(await asyncio.gather(*tries)) == 1
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_period_is_claimed_once_and_a_failed_claim_can_be_retried(sessions: Any) -> None:
    runs = SqlJobRuns(sessions)
    assert await runs.claim_period("nudges", "2026-W48", NOW)
    assert not await runs.claim_period("nudges", "2026-W48", NOW)
    assert await runs.claim_period("nudges", "2026-W49", NOW)
    assert await runs.claim_period("other", "2026-W48", NOW)
    await runs.release_period("nudges", "2026-W49")  # the run failed: try again next tick
    assert await runs.claim_period("nudges", "2026-W49", NOW)
    await runs.finish_period("nudges", "2026-W48", 12)
    await runs.release_period("nudges", "2026-W48")  # a finished period stays finished
    assert await runs.runs("nudges") == {"2026-W48": 12, "2026-W49": None}


async def test_an_abandoned_claim_is_taken_again_only_once_stale(sessions: Any) -> None:
    runs = SqlJobRuns(sessions)
    stale = timedelta(minutes=10)
    assert await runs.claim_period("nudges", "2026-11-23", NOW, stale=stale)
    assert not await runs.claim_period("nudges", "2026-11-23", NOW + stale, stale=stale)
    later = NOW + stale + timedelta(seconds=1)
    assert await runs.claim_period("nudges", "2026-11-23", later, stale=stale)
    assert not await runs.claim_period("nudges", "2026-11-23", later, stale=stale)
    await runs.finish_period("nudges", "2026-11-23", 3)
    assert not await runs.claim_period("nudges", "2026-11-23", NOW + timedelta(days=1), stale=stale)


async def test_two_leaders_run_a_job_in_one_place_and_hand_it_over(sessions: Any) -> None:
    clock = ManualClock(NOW)
    ran: list[str] = []

    def replica(name: str) -> tuple[Leader, Any]:
        leader = Leader(SqlJobLeases(sessions), clock, ttl=TTL, holder=name)

        async def job() -> int:
            ran.append(name)
            return 1

        return leader, leader.leased("deadlines", job)

    (first, first_job), (_, second_job) = replica("a"), replica("b")
    for _ in range(5):
        assert await first_job() == 1
        assert await second_job() == 0
        clock.advance(timedelta(seconds=10))
    assert ran == ["a"] * 5
    await first.release_all()  # a clean stop: the other takes over at its next tick
    assert await second_job() == 1
    assert await first_job() == 0
    clock.advance(TTL + timedelta(seconds=1))  # b stops ticking (crashed): a takes over
    assert await first_job() == 1
    assert ran == ["a"] * 5 + ["b", "a"]


async def test_a_long_run_keeps_its_lease(sessions: Any) -> None:
    ttl = timedelta(seconds=0.3)
    first = Leader(SqlJobLeases(sessions), SystemClock(), ttl=ttl, holder="a")
    second = Leader(SqlJobLeases(sessions), SystemClock(), ttl=ttl, holder="b")

    async def slow() -> int:
        await asyncio.sleep(1.0)
        return 1

    async def quick() -> int:
        return 1

    running = asyncio.create_task(first.leased("deadlines", slow)())
    tries = []
    for _ in range(8):
        await asyncio.sleep(0.1)
        tries.append(await second.leased("deadlines", quick)())
    assert await running == 1
    assert tries == [0] * 8
