# Job leases (which replica runs a job) and job runs (which periods a periodic job has done),
# each call one short transaction, on SQLite and PostgreSQL alike.
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import col, select

from storage.dialect import insert_into
from storage.tables import JobLeaseRow, JobRunRow


class SqlJobLeases:
    """Implements scheduler.leader.JobLeases: one lease per job name, held by one process id
    until a time. Taking it is a single conditional upsert, so two replicas racing for a free
    or expired lease cannot both win."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions

    async def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the lease on `name` until `now + ttl`: True when it is free, expired,
        or already `holder`'s; False while another holder's lease runs."""
        async with self._sessions() as session:
            upsert = insert_into(session, JobLeaseRow)
            statement = (
                upsert.values(name=name, holder=holder, until=now + ttl)
                .on_conflict_do_update(
                    index_elements=["name"],
                    set_={"holder": upsert.excluded.holder, "until": upsert.excluded.until},
                    where=or_(
                        col(JobLeaseRow.holder) == upsert.excluded.holder,
                        col(JobLeaseRow.until) < now,
                    ),
                )
                .returning(JobLeaseRow.name)
            )
            taken = (await session.execute(statement)).scalar_one_or_none() is not None
            await session.commit()
            return taken

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up (on shutdown), so another replica takes the job at its next tick.
        Does nothing when `holder` no longer holds it."""
        async with self._sessions() as session:
            await session.execute(
                delete(JobLeaseRow).where(
                    col(JobLeaseRow.name) == name, col(JobLeaseRow.holder) == holder
                )
            )
            await session.commit()

    async def holders(self) -> dict[str, tuple[str, datetime]]:
        """Job name -> (holder, until), for health checks and tests."""
        async with self._sessions() as session:
            rows = (await session.exec(select(JobLeaseRow))).all()
        return {row.name: (row.holder, row.until) for row in rows}


class SqlJobRuns:
    """Implements scheduler.periods.JobRuns: a row per job and period key (`2026-11-23`,
    `2026-W48`). `handled` is NULL while the period's run is under way and the count once done."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions

    async def claim_period(
        self, name: str, period_key: str, now: datetime, *, stale: timedelta | None = None
    ) -> bool:
        """Start `name`'s run for `period_key`: True only for the first caller (insert or
        nothing). With `stale`, a run claimed more than `stale` ago that never finished (its
        process died) may be claimed again; a finished period never is."""
        async with self._sessions() as session:
            claim = insert_into(session, JobRunRow).values(
                name=name, period_key=period_key, ran_at=now, handled=None
            )
            if stale is None:
                statement = claim.on_conflict_do_nothing(index_elements=["name", "period_key"])
            else:
                statement = claim.on_conflict_do_update(
                    index_elements=["name", "period_key"],
                    set_={"ran_at": claim.excluded.ran_at},
                    where=(col(JobRunRow.handled).is_(None))
                    & (col(JobRunRow.ran_at) < now - stale),
                )
            result = await session.execute(statement.returning(JobRunRow.name))
            claimed = result.scalar_one_or_none() is not None
            await session.commit()
            return claimed

    async def finish_period(self, name: str, period_key: str, handled: int) -> None:
        """Record that the period's run is done and how many records it handled."""
        async with self._sessions() as session:
            await session.execute(
                update(JobRunRow)
                .where(col(JobRunRow.name) == name, col(JobRunRow.period_key) == period_key)
                .values(handled=handled)
            )
            await session.commit()

    async def release_period(self, name: str, period_key: str) -> None:
        """Forget an unfinished claim (the run failed), so the next tick tries the period again."""
        async with self._sessions() as session:
            await session.execute(
                delete(JobRunRow).where(
                    col(JobRunRow.name) == name,
                    col(JobRunRow.period_key) == period_key,
                    col(JobRunRow.handled).is_(None),
                )
            )
            await session.commit()

    async def runs(self, name: str) -> dict[str, int | None]:
        """Period key -> records handled (None while under way), for reports and tests."""
        async with self._sessions() as session:
            rows = (
                await session.exec(
                    select(JobRunRow.period_key, JobRunRow.handled).where(JobRunRow.name == name)
                )
            ).all()
        return {key: handled for key, handled in rows}
