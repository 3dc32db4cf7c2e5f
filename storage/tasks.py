# The task repository: take-down and consent-at-18 tasks, and (read-only) which published posts
# show a pupil.
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.tasks.model import Exposure, Task, TaskKind, TaskStatus
from storage.dialect import insert_into, locked
from storage.tables import PostPupilRow, PostRow, PostVersionRow, TaskRow

CHUNK = 900
_SCALARS = (
    "key",
    "site_id",
    "assignees",
    "post_ref",
    "pupil_id",
    "detail",
    "created_at",
    "nudged_on",
    "done_at",
    "done_by",
    "reason",
)


class SqlTaskStore:
    """Implements bot.tasks.ports.TaskStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, task: Task) -> bool:
        statement = (
            insert_into(self._session, TaskRow)
            .values(**_columns(task))
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(TaskRow.id)
        )
        result: Any = await self._session.execute(statement)
        task_id = result.scalar_one_or_none()
        if task_id is None:
            return False
        task.id = task_id
        return True

    async def get(self, task_id: int, *, for_update: bool = False) -> Task | None:
        query = select(TaskRow).where(TaskRow.id == int(task_id))
        if for_update:
            query = locked(self._session, query)
        row = (await self._session.exec(query)).first()
        return _task(row) if row else None

    async def save(self, task: Task) -> None:
        await self._session.execute(
            update(TaskRow).where(col(TaskRow.id) == task.id).values(**_columns(task))
        )

    async def open_tasks(
        self, *, kinds: Sequence[TaskKind] = (), site_ids: Sequence[str] | None = None
    ) -> list[Task]:
        query = select(TaskRow).where(TaskRow.status == TaskStatus.OPEN.value)
        if kinds:
            query = query.where(col(TaskRow.kind).in_([k.value for k in kinds]))
        if site_ids is not None:
            query = query.where(col(TaskRow.site_id).in_(list(site_ids)))
        rows = (await self._session.exec(query.order_by(col(TaskRow.id)))).all()
        return [_task(row) for row in rows]

    async def due_for_nudge(self, today: date) -> list[Task]:
        query = select(TaskRow).where(
            TaskRow.status == TaskStatus.OPEN.value,
            or_(col(TaskRow.nudged_on).is_(None), col(TaskRow.nudged_on) < today),
        )
        query = locked(self._session, query, skip_locked=True)
        rows = (await self._session.exec(query.order_by(col(TaskRow.id)))).all()
        return [_task(row) for row in rows]

    async def published_showing(self, pupil_ids: Sequence[int]) -> list[Exposure]:
        """Published posts whose current version shows any of these pupils unblurred."""
        found: list[Exposure] = []
        ids = sorted(set(pupil_ids))
        for start in range(0, len(ids), CHUNK):
            query = (
                select(
                    PostRow.ref,
                    PostRow.site_id,
                    PostRow.account_id,
                    PostRow.published_by,
                    PostRow.published_url,
                    PostVersionRow.shows,
                    PostPupilRow.pupil_id,
                )
                .join(
                    PostPupilRow,
                    and_(
                        col(PostPupilRow.post_id) == col(PostRow.id),
                        col(PostPupilRow.version) == col(PostRow.version),
                    ),
                )
                .join(
                    PostVersionRow,
                    and_(
                        col(PostVersionRow.post_id) == col(PostRow.id),
                        col(PostVersionRow.number) == col(PostRow.version),
                    ),
                )
                .where(
                    PostRow.status == "published",
                    col(PostPupilRow.blurred).is_(False),
                    col(PostPupilRow.pupil_id).in_(ids[start : start + CHUNK]),
                )
                .order_by(col(PostRow.id), col(PostPupilRow.pupil_id))
            )
            found += [Exposure(*row) for row in (await self._session.exec(query)).all()]
        return found


def _columns(task: Task) -> dict[str, Any]:
    data = {name: getattr(task, name) for name in _SCALARS}
    data["assignees"] = list(task.assignees)
    data["detail"] = dict(task.detail)
    return data | {"kind": task.kind.value, "status": task.status.value}


def _task(row: TaskRow) -> Task:
    return Task(
        id=row.id,
        kind=TaskKind(row.kind),
        status=TaskStatus(row.status),
        **{name: getattr(row, name) for name in _SCALARS},
    )
