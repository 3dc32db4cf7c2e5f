# The oversight repository: counts across reports, posts and declarations, and digest snapshots.
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.declarations.model import Status as DeclarationStatus
from bot.oversight.ports import ReportCount
from bot.posts.model import Status as PostStatus
from storage.dialect import insert_into
from storage.tables import DeclarationRow, OversightSnapshotRow, PostRow, ReportRow


class SqlOversightStore:
    """Implements bot.oversight.ports.OversightStore on one session: grouped counts only, so
    no record's content is read."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def report_counts(self, since: datetime) -> list[ReportCount]:
        query = (
            select(
                ReportRow.site_id,
                ReportRow.category,
                ReportRow.status,
                ReportRow.subject_staff,
                func.count(),
            )
            .where(col(ReportRow.created_at) >= since)
            .group_by(
                ReportRow.site_id, ReportRow.category, ReportRow.status, ReportRow.subject_staff
            )
        )
        return [ReportCount(*row) for row in (await self._session.exec(query)).all()]

    async def posts_waiting(self) -> dict[str, int]:
        query = (
            select(PostRow.site_id, func.count())
            .where(PostRow.status == PostStatus.PENDING.value)
            .group_by(PostRow.site_id)
        )
        return dict((await self._session.exec(query)).all())

    async def declarations_waiting(self) -> dict[str, int]:
        query = (
            select(DeclarationRow.site_id, func.count())
            .where(DeclarationRow.status == DeclarationStatus.OPEN.value)
            .group_by(DeclarationRow.site_id)
        )
        return dict((await self._session.exec(query)).all())

    async def snapshot_before(self, viewer: str, scope: str, week: str) -> dict[str, int] | None:
        query = (
            select(OversightSnapshotRow.figures)
            .where(
                OversightSnapshotRow.viewer == viewer,
                OversightSnapshotRow.scope == scope,
                col(OversightSnapshotRow.week) < week,
            )
            .order_by(col(OversightSnapshotRow.week).desc())
            .limit(1)
        )
        found = (await self._session.exec(query)).first()
        return dict(found) if found is not None else None

    async def save_snapshot(
        self, viewer: str, scope: str, week: str, figures: Mapping[str, int], at: datetime
    ) -> None:
        statement: Any = (
            insert_into(self._session, OversightSnapshotRow)
            .values(viewer=viewer, scope=scope, week=week, figures=dict(figures), taken_at=at)
            .on_conflict_do_nothing()
        )
        await self._session.execute(statement)
