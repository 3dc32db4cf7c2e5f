# Scheduled jobs (APScheduler): report deadlines, post deadlines, daily tasks; the set-up.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

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
    """One scheduler per process; each job keeps its state in the database, so a job that runs
    on two replicas at once still acts once (row locks and unique outbox keys)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for name, job in jobs.items():
        scheduler.add_job(
            job,
            "interval",
            seconds=tick_seconds,
            id=name,
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
