# Jobs run once per period on SQLite and PostgreSQL: catching up once after downtime, a term
# of weekly nudges on a manual clock with two replicas, failures tried again, restarts.
from __future__ import annotations

import time as timer
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from scheduler.leader import Leader
from scheduler.periods import Periodic
from storage.engine import create_engine, session_factory
from storage.leases import SqlJobLeases, SqlJobRuns

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 08:00 in London


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Any]:
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


class Recorder:
    """A job that notes the period keys it was run with."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def __call__(self, key: str) -> int:
        self.keys.append(key)
        return 2


async def test_a_daily_job_down_for_three_days_catches_up_once(sessions: Any) -> None:
    clock = ManualClock(MONDAY)
    job = Recorder()
    daily = Periodic(SqlJobRuns(sessions), clock, LONDON).run_once_per("day", "tidy", job)
    assert await daily() == 2
    for _ in range(10):  # the rest of Monday's ticks do nothing
        clock.advance(timedelta(minutes=30))
        assert await daily() == 0
    clock.set(MONDAY + timedelta(days=3, hours=1))  # down from Monday until Thursday 09:00
    restarted = Periodic(SqlJobRuns(sessions), clock, LONDON).run_once_per("day", "tidy", job)
    assert [await restarted() for _ in range(5)] == [2, 0, 0, 0, 0]
    assert job.keys == ["2026-11-23", "2026-11-26"]  # Tuesday and Wednesday are not replayed
    assert await SqlJobRuns(sessions).runs("tidy") == {"2026-11-23": 2, "2026-11-26": 2}


async def test_a_weekly_job_missed_on_monday_runs_once_on_tuesday_after_not_before(
    sessions: Any,
) -> None:
    clock = ManualClock(datetime(2026, 11, 24, 6, tzinfo=UTC))  # Tuesday 06:00
    job = Recorder()
    weekly = Periodic(SqlJobRuns(sessions), clock, LONDON).run_once_per(
        "week", "nudges", job, not_before=time(9)
    )
    ran = []
    for _ in range(12):
        ran.append(await weekly())
        clock.advance(timedelta(hours=1))
    assert ran == [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]  # at 09:00, once
    assert job.keys == ["2026-W48"]


async def test_a_failed_run_is_tried_again_at_the_next_tick(sessions: Any) -> None:
    clock = ManualClock(MONDAY)
    calls: list[str] = []

    async def flaky(key: str) -> int:
        calls.append(key)
        if len(calls) == 1:
            raise RuntimeError("the directory could not be read")
        return 1

    daily = Periodic(SqlJobRuns(sessions), clock, LONDON).run_once_per("day", "tidy", flaky)
    with pytest.raises(RuntimeError):
        await daily()
    assert await daily() == 1
    assert await daily() == 0
    assert calls == ["2026-11-23", "2026-11-23"]


async def test_a_run_left_unfinished_by_a_crash_is_claimed_again_once_stale(
    sessions: Any,
) -> None:
    clock = ManualClock(MONDAY)
    runs = SqlJobRuns(sessions)
    assert await runs.claim_period("tidy", "2026-11-23", MONDAY)  # then the process died
    job = Recorder()
    daily = Periodic(runs, clock, LONDON, stale=timedelta(minutes=10)).run_once_per(
        "day", "tidy", job
    )
    assert await daily() == 0
    clock.advance(timedelta(minutes=11))
    assert await daily() == 2
    assert job.keys == ["2026-11-23"]


async def test_a_term_of_weekly_nudges_on_two_replicas_runs_once_a_week(sessions: Any) -> None:
    """13 weeks ticking every six hours, two replicas with their own leader and periodic
    wrappers on one database: each week's nudges run once, on whichever replica leads, and
    the lead moves when the leader stops for a day."""
    clock = ManualClock(datetime(2026, 9, 7, 0, 0, tzinfo=UTC))  # a Monday, autumn term
    job = Recorder()

    def replica(name: str) -> tuple[Leader, Any]:
        leader = Leader(SqlJobLeases(sessions), clock, ttl=timedelta(hours=13), holder=name)
        periodic = Periodic(SqlJobRuns(sessions), clock, LONDON)
        weekly = periodic.run_once_per("week", "nudges", job, not_before=time(9))
        return leader, leader.leased("nudges", weekly)

    replicas = [replica("a"), replica("b")]
    started = timer.perf_counter()
    ticks = 0
    while clock.now() < datetime(2026, 12, 7, tzinfo=UTC):
        down = "a" if clock.now().date() == date(2026, 10, 12) else None  # a is stopped
        for leader, run in replicas:
            if leader.holder != down:
                await run()
        ticks += 1
        clock.advance(timedelta(hours=6))
    elapsed = timer.perf_counter() - started
    assert len(job.keys) == 13
    assert job.keys == [f"2026-W{week}" for week in range(37, 50)]
    assert await SqlJobRuns(sessions).runs("nudges") == {key: 2 for key in job.keys}
    assert (await SqlJobLeases(sessions).holders())["nudges"][0] == "b"  # took over on the 12th
    assert ticks == 13 * 7 * 4 and elapsed < 60  # no real waiting: ~1s unloaded
