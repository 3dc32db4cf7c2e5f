# The append-only audit trail (the database refuses updates and deletes, see the migrations).
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.audit import AuditEvent
from storage.tables import AuditRow


class SqlAuditLog:
    """Implements bot.ports.AuditLog on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, event: AuditEvent) -> None:
        self._session.add(
            AuditRow(
                at=event.at,
                actor=event.actor,
                action=event.action,
                record_type=event.record_type,
                record_id=event.record_id,
                before=event.before,
                after=event.after,
                detail=event.detail or None,
            )
        )

    async def append_many(self, events: Sequence[AuditEvent]) -> None:
        """Many events in one executemany (no ORM objects): a bulk import stays fast."""
        if events:
            await self._session.execute(
                insert(AuditRow),
                [
                    {
                        "at": e.at,
                        "actor": e.actor,
                        "action": e.action,
                        "record_type": e.record_type,
                        "record_id": e.record_id,
                        "before": e.before,
                        "after": e.after,
                        "detail": e.detail or None,
                    }
                    for e in events
                ],
            )

    async def for_record(self, record_type: str, record_id: str) -> list[AuditEvent]:
        rows = (
            await self._session.exec(
                select(AuditRow)
                .where(AuditRow.record_type == record_type, AuditRow.record_id == record_id)
                .order_by(col(AuditRow.id))
            )
        ).all()
        return [
            AuditEvent(
                r.at,
                r.actor,
                r.action,
                r.record_type,
                r.record_id,
                r.before,
                r.after,
                r.detail or {},
            )
            for r in rows
        ]
