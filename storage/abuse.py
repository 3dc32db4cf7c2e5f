# The abuse log repository: entries in and out of rows.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.abuse.model import AbuseEntry, Done, Kind, Status
from storage.refs import next_ref
from storage.tables import AbuseEntryRow

_SCALARS = [f.name for f in fields(AbuseEntry) if f.name not in {"id", "done", "kind", "status"}]


class SqlAbuseStore:
    """Implements bot.abuse.ports.AbuseStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_ref(self, year: int) -> str:
        return await next_ref(self._session, "AL", year)

    async def add(self, entry: AbuseEntry, *, source_key: str) -> None:
        row = AbuseEntryRow(source_key=source_key, **_columns(entry))
        self._session.add(row)
        await self._session.flush()
        entry.id = row.id

    async def by_source_key(self, key: str) -> AbuseEntry | None:
        query = select(AbuseEntryRow).where(AbuseEntryRow.source_key == key)
        row = (await self._session.exec(query)).first()
        return _entry(row) if row else None

    async def get(self, ref: str, *, for_update: bool = False) -> AbuseEntry | None:
        query = select(AbuseEntryRow).where(AbuseEntryRow.ref == ref)
        if for_update and self._dialect == "postgresql":
            query = query.with_for_update()
        row = (await self._session.exec(query)).first()
        return _entry(row) if row else None

    async def save(self, entry: AbuseEntry) -> None:
        await self._session.execute(
            update(AbuseEntryRow).where(col(AbuseEntryRow.id) == entry.id).values(**_columns(entry))
        )

    async def every(self) -> list[AbuseEntry]:
        return await self._many(select(AbuseEntryRow))

    async def at_sites(self, site_ids: Sequence[str]) -> list[AbuseEntry]:
        return await self._many(
            select(AbuseEntryRow).where(col(AbuseEntryRow.site_id).in_(list(site_ids)))
        )

    async def logged_by(self, email: str) -> list[AbuseEntry]:
        return await self._many(select(AbuseEntryRow).where(AbuseEntryRow.logged_by == email))

    async def due_for_escalation(self, reported_before: datetime) -> list[AbuseEntry]:
        query = select(AbuseEntryRow).where(
            AbuseEntryRow.status == Status.REPORTED.value,
            col(AbuseEntryRow.nudged_at).is_(None),
            col(AbuseEntryRow.status_at) <= reported_before,
        )
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._session.exec(query.order_by(col(AbuseEntryRow.id)))).all()
        return [_entry(row) for row in rows]

    async def _many(self, query: Any) -> list[AbuseEntry]:
        rows = (await self._session.exec(query.order_by(col(AbuseEntryRow.id).desc()))).all()
        return [_entry(row) for row in rows]

    @property
    def _dialect(self) -> str:
        return self._session.bind.dialect.name if self._session.bind else "sqlite"


def _columns(entry: AbuseEntry) -> dict[str, Any]:
    data = {name: getattr(entry, name) for name in _SCALARS}
    return data | {
        "done": [d.value for d in entry.done],
        "kind": entry.kind.value,
        "status": entry.status.value,
    }


def _entry(row: AbuseEntryRow) -> AbuseEntry:
    return AbuseEntry(
        id=row.id,
        done=tuple(Done(d) for d in row.done),
        kind=Kind(row.kind),
        status=Status(row.status),
        **{name: getattr(row, name) for name in _SCALARS},
    )
