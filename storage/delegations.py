# The delegation repository: approvers away, and who signs in their place until when.
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.approvals import Delegation
from storage.tables import DelegationRow


class SqlDelegationStore:
    """Implements bot.ports.DelegationStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delegation: Delegation) -> Delegation:
        row = DelegationRow(
            from_email=delegation.from_email,
            to_email=delegation.to_email,
            role=delegation.role,
            until=delegation.until,
            created_at=delegation.created_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _delegation(row)

    async def active(self, today: date) -> list[Delegation]:
        """Every delegation in force today (few: approvers away)."""
        rows = await self._session.exec(
            select(DelegationRow).where(
                col(DelegationRow.ended_at).is_(None), col(DelegationRow.until) >= today
            )
        )
        return [_delegation(row) for row in rows]

    async def end(self, delegation_id: int, *, by: str, at: datetime) -> bool:
        """End a delegation early; False when it had ended already."""
        result = await self._session.execute(
            update(DelegationRow)
            .where(col(DelegationRow.id) == delegation_id, col(DelegationRow.ended_at).is_(None))
            .values(ended_at=at, ended_by=by)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _delegation(row: DelegationRow) -> Delegation:
    return Delegation(
        from_email=row.from_email,
        to_email=row.to_email,
        role=row.role,
        until=row.until,
        created_at=row.created_at,
        ended_at=row.ended_at,
        id=row.id,
    )
