# Scheduled jobs (APScheduler): report deadlines and the set-up that ticks every job.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ports import UnitOfWork
from bot.reports import service as reports
from bot.reports.service import ReportDeps

log = logging.getLogger(__name__)


async def report_deadlines(
    uow: UnitOfWork, deps: ReportDeps, wake: Callable[[], None] | None = None
) -> int:
    """Nudge and escalate reports not acknowledged in time; state lives on the reports."""
    handled = await reports.process_deadlines(uow, deps)
    if handled:
        log.info("report deadlines: %d report(s) nudged or escalated", handled)
        if wake:
            wake()
    return handled


def build_scheduler(
    *, tick_seconds: float, jobs: Mapping[str, Callable[[], Awaitable[int]]]
) -> AsyncIOScheduler:
    """One scheduler per process, ticking every job at once on start (to catch up) and then
    every `tick_seconds`. APScheduler only ticks: each job keeps its state in the database and
    reads the time from the injected clock, runs only where it holds its lease
    (scheduler.leader), and acts once however often it runs (records, job runs, unique outbox
    keys). Ticks missed while busy are coalesced into one."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    start = datetime.now(UTC)
    for name, job in jobs.items():
        scheduler.add_job(
            job,
            "interval",
            seconds=tick_seconds,
            id=name,
            next_run_time=start,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    return scheduler


async def run_job(name: str, job: Callable[[], Awaitable[int]], wake: Callable[[], None]) -> int:
    """Run one job; log how much it did and wake the outbox when it queued messages."""
    handled = await job()
    if handled:
        log.info("%s: %d record(s) handled", name, handled)
        wake()
    return handled
