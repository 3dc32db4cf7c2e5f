# Periodic jobs: period keys (a local day, an ISO week) and running a job once per period.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.clock import Clock

log = logging.getLogger(__name__)
Period = Literal["day", "week"]
PeriodJob = Callable[[str], Awaitable[int]]  # given the period key, returns records handled


class JobRuns(Protocol):
    """What periodic jobs need from storage (storage.leases.SqlJobRuns)."""

    async def claim_period(
        self, name: str, period_key: str, now: datetime, *, stale: timedelta | None = None
    ) -> bool:
        """True only for the first claim of the period (or of an abandoned, stale one)."""
        ...

    async def finish_period(self, name: str, period_key: str, handled: int) -> None: ...

    async def release_period(self, name: str, period_key: str) -> None: ...


def period_key(period: Period, moment: datetime, zone: ZoneInfo) -> str:
    """The period `moment` falls in, on the trust's local calendar: for "day" the ISO date
    (`2026-11-23`), for "week" the ISO year and week (`2026-W48`; Monday to Sunday, so
    31 December 2024 is in `2025-W01`). Days begin at local midnight, in summer time too."""
    local = moment.astimezone(zone).date()
    if period == "day":
        return local.isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"unknown period {period!r}: use day or week")


class Periodic:
    """Runs jobs at most once per period, with the periods recorded in the database.

    Call the job that `run_once_per` returns at every scheduler tick (under the job's lease,
    see scheduler.leader). At each tick it works out the current period on the trust's clock;
    if that period has no finished run yet (and the local time is past `not_before`, when
    given), it claims the period, runs the job once with the period key and records how many
    records the job handled. Otherwise it returns 0 at once.

    - Catching up: periods missed while the server was down are not replayed. A daily job
      whose server was down for three days runs once, at the first tick after the start, for
      the current day; a weekly job missed on Monday runs on the Tuesday. So the job should
      act on the state as it is now (everyone overdue today), not on what happened in one
      period, and build its outbox keys from the period key (`training:{email}:{key}`), so a
      message is queued once per person and period whatever runs twice.
    - Restarts and replicas: the claim is a row (job name, period key) with a unique key, so
      a period runs once however many processes tick.
    - Failures: when the job raises, the claim is dropped and the next tick tries again. When
      the process dies mid-run, another tick may claim the period again after `stale`.
    """

    def __init__(
        self,
        runs: JobRuns,
        clock: Clock,
        zone: ZoneInfo,
        *,
        stale: timedelta = timedelta(minutes=10),
    ) -> None:
        self._runs = runs
        self._clock = clock
        self._zone = zone
        self._stale = stale
        self._finished: dict[str, str] = {}  # job name -> the last period this process finished

    def run_once_per(
        self, period: Period, name: str, job: PeriodJob, *, not_before: time | None = None
    ) -> Callable[[], Awaitable[int]]:
        """`job` as a scheduler job that runs at most once per `period` (see the class);
        `not_before` is a local time of day before which the period's run waits."""

        async def run() -> int:  # a coroutine function, so APScheduler awaits it
            now = self._clock.now()
            key = period_key(period, now, self._zone)
            if self._finished.get(name) == key:
                return 0
            if not_before is not None and now.astimezone(self._zone).time() < not_before:
                return 0
            if not await self._runs.claim_period(name, key, now, stale=self._stale):
                return 0
            try:
                handled = await job(key)
            except BaseException:
                await self._forget(name, key)
                raise
            await self._runs.finish_period(name, key, handled)
            self._finished[name] = key
            log.info("%s: period %s done, %d record(s) handled", name, key, handled)
            return handled

        return run

    async def _forget(self, name: str, key: str) -> None:
        try:
            await self._runs.release_period(name, key)
        except Exception:  # the claim stays; it is taken again once stale
            log.warning("%s: could not release period %s", name, key, exc_info=True)
