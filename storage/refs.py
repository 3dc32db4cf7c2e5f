# Human references such as MR-2026-0042: one counter per prefix and year, safe on every replica.
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.dialect import insert_into
from storage.tables import CounterRow


async def next_ref(session: AsyncSession, prefix: str, year: int) -> str:
    """The next reference of the year for a prefix, counted in the database (upsert)."""
    name = f"{prefix}-{year}"
    statement = (
        insert_into(session, CounterRow)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=["name"], set_={"value": CounterRow.value + 1})
        .returning(CounterRow.value)
    )
    number = (await session.execute(statement)).scalar_one()
    return f"{name}-{number:04d}"
