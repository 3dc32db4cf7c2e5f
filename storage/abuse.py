# The abuse log repository: entries in and out of rows.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.abuse.model import AbuseEntry, Done, Kind, Screenshot, ShotState, Status
from bot.files import Upload
from bot.narrowing import Narrowing
from storage.dialect import locked
from storage.narrowing import narrowed
from storage.records import RecordTable
from storage.refs import next_ref
from storage.tables import AbuseEntryRow, AbuseScreenshotRow

_SCALARS = [f.name for f in fields(AbuseEntry) if f.name not in {"id", "done", "kind", "status"}]


class SqlAbuseStore:
    """Implements bot.abuse.ports.AbuseStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._entries = RecordTable(session, AbuseEntryRow, values=_columns, load=_entry)

    async def next_ref(self, year: int) -> str:
        return await next_ref(self._session, "AL", year)

    async def add(self, entry: AbuseEntry, *, source_key: str) -> None:
        await self._entries.add(entry, source_key=source_key)

    async def by_source_key(self, key: str) -> AbuseEntry | None:
        return await self._entries.by_source_key(key)

    async def get(self, ref: str, *, for_update: bool = False) -> AbuseEntry | None:
        return await self._entries.by_ref(ref, for_update=for_update)

    async def save(self, entry: AbuseEntry) -> None:
        await self._entries.save(entry)

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
        query = locked(self._session, query.order_by(col(AbuseEntryRow.id)), skip_locked=True)
        return await self._entries.many(query)

    async def latest_logged_by(self, email: str, since: datetime) -> AbuseEntry | None:
        query = (
            select(AbuseEntryRow)
            .where(AbuseEntryRow.logged_by == email, col(AbuseEntryRow.logged_at) >= since)
            .order_by(col(AbuseEntryRow.id).desc())
        )
        row = (await self._session.exec(query)).first()
        return _entry(row) if row else None

    # --- screenshots (their bytes are read only by `screenshot_content`) ---

    async def add_screenshot(self, shot: Screenshot, *, source_key: str) -> bool:
        """False, adding nothing, when a screenshot with this key is already there."""
        query = select(AbuseScreenshotRow.id).where(AbuseScreenshotRow.source_key == source_key)
        if (await self._session.exec(query)).first() is not None:
            return False
        row = AbuseScreenshotRow(source_key=source_key, **_shot_columns(shot))
        self._session.add(row)
        await self._session.flush()
        shot.id = row.id
        return True

    async def screenshots_of(self, refs: Sequence[str]) -> dict[str, list[Screenshot]]:
        found: dict[str, list[Screenshot]] = {ref: [] for ref in refs}
        query = (
            select(*_SHOT_COLUMNS)
            .where(col(AbuseScreenshotRow.entry_ref).in_(list(refs)))
            .order_by(col(AbuseScreenshotRow.id))
        )
        for row in (await self._session.execute(query)).all():
            shot = _shot(row)
            found.setdefault(shot.entry_ref, []).append(shot)
        return found

    async def screenshots_waiting(self, now: datetime, *, limit: int) -> list[Screenshot]:
        query = (
            select(*_SHOT_COLUMNS)
            .where(
                AbuseScreenshotRow.state == ShotState.WAITING.value,
                (col(AbuseScreenshotRow.next_try_at).is_(None))
                | (col(AbuseScreenshotRow.next_try_at) <= now),
            )
            .order_by(col(AbuseScreenshotRow.id))
            .limit(limit)
        )
        return [_shot(row) for row in (await self._session.execute(query)).all()]

    async def get_screenshot(self, shot_id: int, *, for_update: bool = False) -> Screenshot | None:
        query = select(*_SHOT_COLUMNS).where(col(AbuseScreenshotRow.id) == shot_id)
        if for_update:
            query = locked(self._session, query)
        row = (await self._session.execute(query)).first()
        return _shot(row) if row else None

    async def save_screenshot(self, shot: Screenshot, *, content: bytes | None = None) -> None:
        values = _shot_columns(shot) | ({"content": content} if content is not None else {})
        await self._session.execute(
            update(AbuseScreenshotRow).where(col(AbuseScreenshotRow.id) == shot.id).values(**values)
        )

    async def screenshot_content(self, shot_id: int) -> bytes | None:
        query = select(AbuseScreenshotRow.content).where(col(AbuseScreenshotRow.id) == shot_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def for_export(self, narrowing: Narrowing) -> list[AbuseEntry]:
        """Entries the narrowing keeps, newest first."""
        query = narrowed(
            select(AbuseEntryRow),
            narrowing,
            site=AbuseEntryRow.site_id,
            owner=AbuseEntryRow.logged_by,
            moment=AbuseEntryRow.logged_at,
        )
        return await self._many(query)

    async def _many(self, query: Any) -> list[AbuseEntry]:
        return await self._entries.many(query.order_by(col(AbuseEntryRow.id).desc()))


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


_SHOT_FIELDS = [f.name for f in fields(Screenshot) if f.name not in {"upload", "state"}]
_SHOT_COLUMNS = [
    *(getattr(AbuseScreenshotRow, name) for name in _SHOT_FIELDS),
    AbuseScreenshotRow.upload,
    AbuseScreenshotRow.state,
]


def _shot_columns(shot: Screenshot) -> dict[str, Any]:
    data = {name: getattr(shot, name) for name in _SHOT_FIELDS if name != "id"}
    return data | {"upload": shot.upload.as_json(), "state": shot.state.value}


def _shot(row: Any) -> Screenshot:
    data = row._mapping
    return Screenshot(
        upload=Upload.from_json(data["upload"]),
        state=ShotState(data["state"]),
        **{name: data[name] for name in _SHOT_FIELDS},
    )
