# The declaration repository: relationship declarations in and out of rows.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, cast, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.declarations.model import (
    Declaration,
    EndReason,
    Exchange,
    Mail,
    Relationship,
    Status,
)
from bot.narrowing import Narrowing
from storage.dialect import locked
from storage.narrowing import narrowed
from storage.records import RecordTable
from storage.refs import next_ref
from storage.tables import DeclarationRow

_ENUMS = {"relationship", "status", "end_reason", "mail"}
_SCALARS = [
    f.name
    for f in fields(Declaration)
    if f.name not in {"id", "platforms", "leads", "exchanges"} | _ENUMS
]


class SqlDeclarationStore:
    """Implements bot.declarations.ports.DeclarationStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._declarations = RecordTable(
            session, DeclarationRow, values=_columns, load=_declaration
        )

    async def next_ref(self, year: int) -> str:
        return await next_ref(self._session, "RD", year)

    async def add(self, declaration: Declaration, *, source_key: str) -> None:
        await self._declarations.add(declaration, source_key=source_key)

    async def by_source_key(self, key: str) -> Declaration | None:
        return await self._declarations.by_source_key(key)

    async def get(self, ref: str, *, for_update: bool = False) -> Declaration | None:
        return await self._declarations.by_ref(ref, for_update=for_update)

    async def save(self, declaration: Declaration) -> None:
        await self._declarations.save(declaration)

    async def at_sites(self, site_ids: Sequence[str], *, include_ended: bool) -> list[Declaration]:
        query = select(DeclarationRow).where(col(DeclarationRow.site_id).in_(list(site_ids)))
        if not include_ended:
            query = query.where(DeclarationRow.status != Status.ENDED.value)
        return await self._many(query)

    async def sent_to(self, email: str) -> list[Declaration]:
        # JSON containment differs between SQLite and PostgreSQL: narrow with LIKE, then check.
        query = select(DeclarationRow).where(
            cast(DeclarationRow.leads, String).like(f'%"{email}"%')
        )
        return [d for d in await self._many(query) if email in d.leads]

    async def made_by(self, email: str, *, include_ended: bool) -> list[Declaration]:
        query = select(DeclarationRow).where(DeclarationRow.declarer == email)
        if not include_ended:
            query = query.where(DeclarationRow.status != Status.ENDED.value)
        return await self._many(query)

    async def due_for_nudge(self, today: date) -> list[Declaration]:
        query = select(DeclarationRow).where(
            DeclarationRow.status != Status.ENDED.value,
            or_(col(DeclarationRow.nudged_on).is_(None), col(DeclarationRow.nudged_on) < today),
            or_(
                DeclarationRow.status == Status.OPEN.value,
                col(DeclarationRow.confirmed_on) <= today - timedelta(days=365),  # a superset
            ),
        )
        query = locked(self._session, query.order_by(col(DeclarationRow.id)), skip_locked=True)
        found = await self._declarations.many(query)
        return [d for d in found if d.status is Status.OPEN or d.overdue(today)]

    async def for_export(self, narrowing: Narrowing) -> list[Declaration]:
        """Declarations the narrowing keeps, newest first."""
        query = narrowed(
            select(DeclarationRow),
            narrowing,
            site=DeclarationRow.site_id,
            owner=DeclarationRow.declarer,
            moment=DeclarationRow.created_at,
        )
        return await self._many(query)

    async def _many(self, query: Any) -> list[Declaration]:
        return await self._declarations.many(query.order_by(col(DeclarationRow.id).desc()))


def _columns(declaration: Declaration) -> dict[str, Any]:
    data = {name: getattr(declaration, name) for name in _SCALARS}
    return data | {
        "platforms": list(declaration.platforms),
        "leads": list(declaration.leads),
        "exchanges": [e.to_dict() for e in declaration.exchanges],
        "relationship": declaration.relationship.value,
        "status": declaration.status.value,
        "mail": declaration.mail.value,
        "end_reason": declaration.end_reason.value if declaration.end_reason else None,
    }


def _declaration(row: DeclarationRow) -> Declaration:
    return Declaration(
        id=row.id,
        platforms=tuple(row.platforms),
        leads=tuple(row.leads),
        exchanges=[Exchange.from_dict(e) for e in row.exchanges],
        relationship=Relationship(row.relationship),
        status=Status(row.status),
        mail=Mail(row.mail),
        end_reason=EndReason(row.end_reason) if row.end_reason else None,
        **{name: getattr(row, name) for name in _SCALARS},
    )
