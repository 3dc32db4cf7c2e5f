# Retention in the database: redacting old reports, deleting expired records, pruning the audit.
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, true, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.retention.ports import PrunedAudit
from storage.audit import lock_chain
from storage.tables import (
    AbuseEntryRow,
    AbuseScreenshotRow,
    AuditChainRow,
    AuditRow,
    DeclarationRow,
    NoteRow,
    PostPupilRow,
    PostRow,
    PostVersionRow,
    ReportRow,
    SignOffRow,
    TrainingCompletionRow,
)

REDACTED = "[removed under the retention policy]"
FINISHED_POSTS = ("approved", "rejected", "expired", "published")  # never pending or in changes


class SqlRetentionStore:
    """Implements bot.retention.RetentionStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def redact_reports(
        self, *, closed_before: datetime, safeguarding_closed_before: datetime, at: datetime
    ) -> int:
        """Closed reports past retention keep a tombstone (ref, site, category, status, dates,
        who acknowledged and closed it, the outcome code); their description, links, names,
        outcome summary and notes are removed."""
        expired = select(ReportRow.id).where(
            _reports_due(closed_before, safeguarding_closed_before)
        )
        ids = list((await self._session.exec(expired)).all())
        if not ids:
            return 0
        await self._session.execute(delete(NoteRow).where(col(NoteRow.report_id).in_(ids)))
        await self._session.execute(
            update(ReportRow)
            .where(col(ReportRow.id).in_(ids))
            .values(
                description=REDACTED,
                links=None,
                subject_name=None,
                subject_staff=None,
                outcome_summary=None,
                redacted_at=at,
            )
        )
        return len(ids)

    async def delete_posts(self, *, due_before: datetime) -> int:
        """Finished post requests due before the cutoff, with their versions (text, media
        links), the pupils they showed, and their sign-offs."""
        ids = list(
            (await self._session.exec(select(PostRow.id).where(_posts_due(due_before)))).all()
        )
        if not ids:
            return 0
        for table in (SignOffRow, PostPupilRow, PostVersionRow):
            await self._session.execute(delete(table).where(col(table.post_id).in_(ids)))
        await self._session.execute(delete(PostRow).where(col(PostRow.id).in_(ids)))
        return len(ids)

    async def delete_declarations(self, *, ended_before: datetime) -> int:
        """Declarations that ended before the cutoff (live ones are never removed)."""
        result = await self._session.execute(
            delete(DeclarationRow).where(_declarations_due(ended_before))
        )
        return result.rowcount or 0

    async def delete_training(self, *, completed_before: date) -> int:
        result = await self._session.execute(
            delete(TrainingCompletionRow).where(_training_due(completed_before))
        )
        return result.rowcount or 0

    async def prune_abuse_log(self, *, before: datetime) -> int:
        """Abuse log entries closed before the cutoff, with their screenshots (open ones are
        never removed)."""
        due = select(AbuseEntryRow.ref).where(_abuse_log_due(before))
        await self._session.execute(
            delete(AbuseScreenshotRow).where(col(AbuseScreenshotRow.entry_ref).in_(due))
        )
        result = await self._session.execute(delete(AbuseEntryRow).where(_abuse_log_due(before)))
        return result.rowcount or 0

    async def prune_audit(self, *, before: datetime) -> PrunedAudit:
        """Delete the oldest events, written before `before`, as one prefix of the chain: the
        events up to (not including) the first one to keep. The last deleted event's id and
        hash become the chain's anchor, which `verify` starts from; the database lets only
        anchored events be deleted (migration 0011)."""
        chain = await lock_chain(self._session)
        anchor_id, anchor_hash = chain.anchor_id, chain.anchor_hash  # the update refreshes it
        kept = await self._first_kept(anchor_id, before)
        last = (
            await self._session.exec(
                select(AuditRow)
                .where(col(AuditRow.id) > anchor_id)
                .where(col(AuditRow.id) < kept if kept is not None else true())
                .order_by(col(AuditRow.id).desc())
                .limit(1)
            )
        ).first()
        if last is None or last.id is None:
            return PrunedAudit(0, anchor_id, anchor_hash)
        await self._session.execute(
            update(AuditChainRow)
            .where(col(AuditChainRow.id) == 1)
            .values(anchor_id=last.id, anchor_hash=last.hash)
        )
        result = await self._session.execute(
            delete(AuditRow).where(col(AuditRow.id) > anchor_id, col(AuditRow.id) <= last.id)
        )
        count = result.rowcount or 0
        await self._session.execute(
            update(AuditChainRow)
            .where(col(AuditChainRow.id) == 1)
            .values(pruned=AuditChainRow.pruned + count)
        )
        return PrunedAudit(count, last.id, last.hash)

    # What each removal above would touch now, counted with the same criteria (a dry run):
    # nothing is written and no lock is taken.

    async def count_reports(
        self, *, closed_before: datetime, safeguarding_closed_before: datetime
    ) -> int:
        return await self._count(ReportRow, _reports_due(closed_before, safeguarding_closed_before))

    async def count_posts(self, *, due_before: datetime) -> int:
        return await self._count(PostRow, _posts_due(due_before))

    async def count_declarations(self, *, ended_before: datetime) -> int:
        return await self._count(DeclarationRow, _declarations_due(ended_before))

    async def count_training(self, *, completed_before: date) -> int:
        return await self._count(TrainingCompletionRow, _training_due(completed_before))

    async def count_abuse_log(self, *, before: datetime) -> int:
        return await self._count(AbuseEntryRow, _abuse_log_due(before))

    async def count_audit(self, *, before: datetime) -> int:
        """The events `prune_audit` would delete: after the anchor, before the first kept."""
        anchor = (
            await self._session.exec(
                select(AuditChainRow.anchor_id).where(col(AuditChainRow.id) == 1)
            )
        ).first() or 0
        kept = await self._first_kept(anchor, before)
        return await self._count(
            AuditRow,
            (col(AuditRow.id) > anchor) & (col(AuditRow.id) < kept if kept is not None else true()),
        )

    async def _first_kept(self, anchor_id: int, before: datetime) -> int | None:
        """The first event after the anchor written at or after `before` (None: none is)."""
        return (
            await self._session.exec(
                select(func.min(AuditRow.id)).where(
                    col(AuditRow.id) > anchor_id, AuditRow.at >= before
                )
            )
        ).one()

    async def _count(self, table: Any, condition: Any) -> int:
        query = select(func.count()).select_from(table).where(condition)
        return int((await self._session.exec(query)).one())


def _reports_due(closed_before: datetime, safeguarding_closed_before: datetime) -> Any:
    """Closed reports not yet redacted, past their retention (longer for safeguarding)."""
    return (
        col(ReportRow.redacted_at).is_(None)
        & col(ReportRow.closed_at).is_not(None)
        & (
            (col(ReportRow.safeguarding).is_(False) & (col(ReportRow.closed_at) < closed_before))
            | (
                col(ReportRow.safeguarding).is_(True)
                & (col(ReportRow.closed_at) < safeguarding_closed_before)
            )
        )
    )


def _posts_due(due_before: datetime) -> Any:
    return col(PostRow.status).in_(FINISHED_POSTS) & (col(PostRow.publish_at) < due_before)


def _declarations_due(ended_before: datetime) -> Any:
    return col(DeclarationRow.ended_at).is_not(None) & (col(DeclarationRow.ended_at) < ended_before)


def _training_due(completed_before: date) -> Any:
    return col(TrainingCompletionRow.completed_on) < completed_before


def _abuse_log_due(before: datetime) -> Any:
    return (
        (col(AbuseEntryRow.status) == "closed")
        & col(AbuseEntryRow.status_at).is_not(None)
        & (col(AbuseEntryRow.status_at) < before)
    )
