# The report repository: misuse reports with their recipients and notes, in and out of rows.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.reports.model import (
    ACTING_ROLES,
    Category,
    MisuseReport,
    Note,
    Outcome,
    Recipient,
    RecipientRole,
    Status,
)
from storage.dialect import locked
from storage.refs import next_ref
from storage.tables import NoteRow, RecipientRow, ReportRow

_SCALARS = [f.name for f in fields(MisuseReport) if f.name not in {"recipients", "notes", "id"}]


class SqlReportStore:
    """Implements bot.ports.ReportStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_ref(self, year: int) -> str:
        """The next reference of the year, such as MR-2026-0042, unique on every replica."""
        return await next_ref(self._session, "MR", year)

    async def add(self, report: MisuseReport, *, source_key: str) -> None:
        row = ReportRow(source_key=source_key, **_scalars(report))
        self._session.add(row)
        await self._session.flush()
        report.id = row.id
        await self._write_children(report)

    async def by_source_key(self, key: str) -> MisuseReport | None:
        row = (
            await self._session.exec(select(ReportRow).where(ReportRow.source_key == key))
        ).first()
        return await self._load(row) if row else None

    async def get(self, ref: str, *, for_update: bool = False) -> MisuseReport | None:
        query = select(ReportRow).where(ReportRow.ref == ref)
        if for_update:
            query = locked(self._session, query)
        row = (await self._session.exec(query)).first()
        return await self._load(row) if row else None

    async def save(self, report: MisuseReport) -> None:
        assert report.id is not None
        await self._session.execute(
            update(ReportRow).where(col(ReportRow.id) == report.id).values(**_scalars(report))
        )
        await self._session.execute(
            delete(RecipientRow).where(col(RecipientRow.report_id) == report.id)
        )
        await self._session.execute(delete(NoteRow).where(col(NoteRow.report_id) == report.id))
        await self._write_children(report)

    async def due_for_nudge(self, now: datetime) -> list[MisuseReport]:
        return await self._many(
            select(ReportRow).where(
                ReportRow.status == Status.OPEN.value,
                col(ReportRow.nudged_at).is_(None),
                col(ReportRow.ack_due_at) <= now,
            ),
            lock=True,
        )

    async def due_for_escalation(self, now: datetime) -> list[MisuseReport]:
        return await self._many(
            select(ReportRow).where(
                ReportRow.status == Status.OPEN.value,
                col(ReportRow.escalated_at).is_(None),
                col(ReportRow.escalate_due_at) <= now,
            ),
            lock=True,
        )

    async def waiting_for(self, email: str) -> list[MisuseReport]:
        ids = select(RecipientRow.report_id).where(
            RecipientRow.email == email,
            col(RecipientRow.active).is_(True),
            col(RecipientRow.role).in_([r.value for r in ACTING_ROLES]),
        )
        return await self._many(
            select(ReportRow)
            .where(col(ReportRow.id).in_(ids), ReportRow.status != Status.CLOSED.value)
            .where(func.coalesce(ReportRow.subject_staff, "") != email)
            .order_by(col(ReportRow.created_at))
        )

    async def made_by(self, email: str, *, limit: int = 10) -> list[MisuseReport]:
        return await self._many(
            select(ReportRow)
            .where(ReportRow.reporter == email)
            .order_by(col(ReportRow.created_at).desc())
            .limit(limit)
        )

    async def involving(self, email: str) -> list[MisuseReport]:
        """Every report this person made or that is about them, oldest first."""
        return await self._many(
            select(ReportRow)
            .where((ReportRow.reporter == email) | (ReportRow.subject_staff == email))
            .order_by(col(ReportRow.created_at), col(ReportRow.id))
        )

    async def for_export(
        self,
        *,
        sites: Sequence[str] | None,
        seen_by: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[MisuseReport]:
        """Reports made in [since, until) at these sites (None: any), oldest first; with
        `seen_by`, only those that person made or was sent (an export's superset)."""
        query = select(ReportRow)
        if sites is not None:
            query = query.where(col(ReportRow.site_id).in_(list(sites)))
        if seen_by is not None:
            sent = select(RecipientRow.report_id).where(
                RecipientRow.email == seen_by, col(RecipientRow.active).is_(True)
            )
            query = query.where((ReportRow.reporter == seen_by) | col(ReportRow.id).in_(sent))
        if since is not None:
            query = query.where(col(ReportRow.created_at) >= since)
        if until is not None:
            query = query.where(col(ReportRow.created_at) < until)
        return await self._many(query.order_by(col(ReportRow.created_at), col(ReportRow.id)))

    async def _many(self, query: Any, *, lock: bool = False) -> list[MisuseReport]:
        """Rows as reports; with `lock`, rows another replica holds are skipped (PostgreSQL)."""
        if lock:
            query = locked(self._session, query, skip_locked=True, of=ReportRow)
        rows = (await self._session.exec(query)).all()
        return [await self._load(row) for row in rows]

    async def _load(self, row: ReportRow) -> MisuseReport:
        recipients = (
            await self._session.exec(
                select(RecipientRow)
                .where(RecipientRow.report_id == row.id)
                .order_by(col(RecipientRow.id))
            )
        ).all()
        notes = (
            await self._session.exec(
                select(NoteRow).where(NoteRow.report_id == row.id).order_by(col(NoteRow.id))
            )
        ).all()
        data = {name: getattr(row, name) for name in _SCALARS}
        data["category"] = Category(row.category)
        data["status"] = Status(row.status)
        data["outcome"] = Outcome(row.outcome) if row.outcome else None
        return MisuseReport(
            id=row.id,
            recipients=[
                Recipient(r.email, RecipientRole(r.role), r.as_role, r.site_id, r.reason, r.active)
                for r in recipients
            ],
            notes=[Note(n.author, n.text, n.at) for n in notes],
            **data,
        )

    async def _write_children(self, report: MisuseReport) -> None:
        assert report.id is not None
        for r in report.recipients:
            self._session.add(
                RecipientRow(
                    report_id=report.id,
                    email=r.email,
                    role=r.role.value,
                    as_role=r.as_role,
                    site_id=r.site_id,
                    reason=r.reason,
                    active=r.active,
                )
            )
        for n in report.notes:
            self._session.add(NoteRow(report_id=report.id, author=n.author, text=n.text, at=n.at))
        await self._session.flush()


def _scalars(report: MisuseReport) -> dict[str, Any]:
    data = {name: getattr(report, name) for name in _SCALARS}
    for name in ("category", "status", "outcome"):
        data[name] = data[name].value if data[name] is not None else None
    return data
