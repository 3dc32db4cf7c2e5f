# The consent register repository: pupils and their append-only consent history.
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, select, update
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.consent.model import (
    Consent,
    HistoryEntry,
    Pupil,
    Source,
    StaleRecord,
    search_key,
)
from bot.tasks.model import TaskKind
from storage.dialect import locked
from storage.tables import ConsentHistoryRow, PupilRow, TaskRow

PUPIL = PupilRow.__table__  # type: ignore[attr-defined]
HISTORY = ConsentHistoryRow.__table__  # type: ignore[attr-defined]
TASK = TaskRow.__table__  # type: ignore[attr-defined]
CHUNK = 900  # ids per IN (...), well under SQLite's limit of bound values
_DETAILS = ("first_name", "last_name", "preferred_name", "date_of_birth", "year_group")
_CONSENT = ("images_school", "videos_school", "images_trust", "videos_trust")
_SAVED = (*_DETAILS, *_CONSENT, "search_name", "consent_changed_on", "source", "version")


class SqlPupilStore:
    """Implements bot.consent.ports.PupilStore on one session. Bulk writes use Core
    statements with many parameter sets (one round trip per batch, not one per row)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, pupil_id: int, *, for_update: bool = False) -> Pupil | None:
        query = select(PUPIL).where(PUPIL.c.id == int(pupil_id))
        if for_update:
            query = locked(self._session, query)
        row = (await self._session.execute(query)).mappings().first()
        return _pupil(row) if row else None

    async def get_many(self, ids: Sequence[int]) -> list[Pupil]:
        wanted = [int(i) for i in ids if str(i).isdigit()]
        found: dict[int, Pupil] = {}
        for chunk in _chunks(sorted(set(wanted))):
            rows = await self._session.execute(select(PUPIL).where(PUPIL.c.id.in_(chunk)))
            found |= {row["id"]: _pupil(row) for row in rows.mappings()}
        return [found[i] for i in dict.fromkeys(wanted) if i in found]

    async def search(self, site_ids: Sequence[str], query: str, limit: int = 50) -> list[Pupil]:
        words = search_key(query).split()
        if not site_ids or not words:
            return []
        statement = select(PUPIL).where(PUPIL.c.site_id.in_(list(site_ids)))
        for word in words:
            statement = statement.where(PUPIL.c.search_name.contains(word, autoescape=True))
        statement = statement.order_by(
            func.lower(PUPIL.c.last_name), func.lower(PUPIL.c.first_name), PUPIL.c.id
        ).limit(limit)
        rows = await self._session.execute(statement)
        return [_pupil(row) for row in rows.mappings()]

    async def by_site(self, site_id: str, *, for_update: bool = False) -> dict[str, Pupil]:
        query = select(PUPIL).where(PUPIL.c.site_id == site_id)
        if for_update:
            query = locked(self._session, query)
        rows = await self._session.execute(query)
        return {row["mis_id"]: _pupil(row) for row in rows.mappings()}

    async def add(self, pupil: Pupil, entry: HistoryEntry) -> None:
        await self.add_many([(pupil, entry)])

    async def add_many(self, versions: Sequence[tuple[Pupil, HistoryEntry]]) -> None:
        if not versions:
            return
        rows = [
            {"site_id": p.site_id, "mis_id": p.mis_id, **_values(p), "updated_at": e.recorded_at}
            for p, e in versions
        ]
        # RETURNING in parameter order would make SQLite insert row by row: match by MIS id.
        statement = insert(PUPIL).returning(PUPIL.c.id, PUPIL.c.site_id, PUPIL.c.mis_id)
        result = await self._session.execute(statement, rows)
        ids = {(site_id, mis_id): pupil_id for pupil_id, site_id, mis_id in result.all()}
        for pupil, _ in versions:
            pupil.id = ids[(pupil.site_id, pupil.mis_id)]
        await self._history(versions)

    async def save(self, pupil: Pupil, entry: HistoryEntry) -> None:
        result: Any = await self._session.execute(
            update(PUPIL)
            .where(PUPIL.c.id == pupil.id, PUPIL.c.version == pupil.version - 1)
            .values(**_values(pupil), updated_at=entry.recorded_at)
        )
        if result.rowcount != 1:
            raise StaleRecord("This pupil's record changed meanwhile; please look it up again.")
        await self._history([(pupil, entry)])

    async def save_many(self, versions: Sequence[tuple[Pupil, HistoryEntry]]) -> None:
        """Many new versions at once. Two writers racing on a pupil cannot both win: the
        history's unique (pupil, version) refuses the second, and its transaction rolls back."""
        if not versions:
            return
        statement = (
            update(PUPIL)
            .where(PUPIL.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in (*_SAVED, "updated_at")})
        )
        rows = [
            {"b_id": p.id, "b_updated_at": e.recorded_at}
            | {f"b_{k}": v for k, v in _values(p).items()}
            for p, e in versions
        ]
        await self._session.execute(statement, rows)
        await self._history(versions)

    async def history(self, pupil_id: int) -> list[HistoryEntry]:
        rows = await self._session.execute(
            select(HISTORY).where(HISTORY.c.pupil_id == int(pupil_id)).order_by(HISTORY.c.version)
        )
        return [_entry(row) for row in rows.mappings()]

    async def turning_18_by(self, day: date, *, without_task: bool = False) -> list[Pupil]:
        query: Select[Any] = select(PUPIL).where(PUPIL.c.date_of_birth <= _years_before(day, 18))
        if without_task:
            query = query.where(
                ~exists().where(
                    TASK.c.pupil_id == PUPIL.c.id, TASK.c.kind == TaskKind.CONSENT_AT_18.value
                )
            )
        rows = await self._session.execute(query.order_by(PUPIL.c.id))
        return [_pupil(row) for row in rows.mappings()]

    async def _history(self, versions: Sequence[tuple[Pupil, HistoryEntry]]) -> None:
        rows = [
            {
                "pupil_id": pupil.id,
                "version": entry.version,
                **{name: getattr(pupil, name) for name in _DETAILS},
                **entry.consent.flags(),
                "changed_on": entry.changed_on,
                "source": entry.source.value,
                "recorded_by": entry.recorded_by,
                "recorded_at": entry.recorded_at,
                "note": entry.note,
            }
            for pupil, entry in versions
        ]
        await self._session.execute(insert(HISTORY), rows)


def _values(pupil: Pupil) -> dict[str, Any]:
    """The columns a version sets (all but the ids and the time)."""
    return {
        **{name: getattr(pupil, name) for name in _DETAILS},
        **pupil.consent.flags(),
        "search_name": pupil.search_name,
        "consent_changed_on": pupil.consent_changed_on,
        "source": pupil.source.value,
        "version": pupil.version,
    }


def _pupil(row: Mapping[str, Any]) -> Pupil:
    return Pupil(
        id=row["id"],
        site_id=row["site_id"],
        mis_id=row["mis_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        preferred_name=row["preferred_name"],
        date_of_birth=row["date_of_birth"],
        year_group=row["year_group"],
        consent=Consent(*(bool(row[name]) for name in _CONSENT)),
        consent_changed_on=row["consent_changed_on"],
        source=Source(row["source"]),
        version=row["version"],
    )


def _entry(row: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(
        version=row["version"],
        consent=Consent(*(bool(row[name]) for name in _CONSENT)),
        changed_on=row["changed_on"],
        source=Source(row["source"]),
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
        note=row["note"],
        details={
            name: row[name].isoformat() if isinstance(row[name], date) else row[name] or ""
            for name in _DETAILS
        },
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
