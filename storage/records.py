# One table holding one kind of referenced record (AL-..., NW-..., RD-...): added once per source
# key, found by key or reference (locked for an update on PostgreSQL), saved, loaded many at once.
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.dialect import locked


class Record(Protocol):
    id: int | None


T = TypeVar("T", bound=Record)


class RecordTable(Generic[T]):
    """`table` (a SQLModel with id, ref and source_key columns) holding records of one kind:
    `values` gives a record's columns, `load` makes a record of a row."""

    def __init__(
        self,
        session: AsyncSession,
        table: Any,
        *,
        values: Callable[[T], dict[str, Any]],
        load: Callable[[Any], T],
    ) -> None:
        self._session, self._table, self._values, self._load = session, table, values, load

    async def add(self, record: T, *, source_key: str) -> None:
        """Insert it (setting its id); the source key makes a retried request a no-op."""
        row = self._table(source_key=source_key, **self._values(record))
        self._session.add(row)
        await self._session.flush()
        record.id = row.id

    async def by_source_key(self, key: str) -> T | None:
        return await self.first(select(self._table).where(self._table.source_key == key))

    async def by_ref(self, ref: str, *, for_update: bool = False) -> T | None:
        query = select(self._table).where(self._table.ref == ref)
        return await self.first(locked(self._session, query) if for_update else query)

    async def save(self, record: T) -> None:
        assert record.id is not None, "save a record that was added"
        await self._session.execute(
            update(self._table)
            .where(col(self._table.id) == record.id)
            .values(**self._values(record))
        )

    async def first(self, query: Any) -> T | None:
        row = (await self._session.exec(query)).first()
        return self._load(row) if row else None

    async def many(self, query: Any) -> list[T]:
        return [self._load(row) for row in (await self._session.exec(query)).all()]
