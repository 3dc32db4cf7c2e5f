# The post request repository: requests, their versions, pupils shown, and sign-offs.
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.approvals import Slot
from bot.narrowing import Narrowing
from bot.posts.model import (
    OPEN,
    Decision,
    Finding,
    Objective,
    PostRequest,
    PostVersion,
    ShownPupil,
    Shows,
    SignOff,
    Status,
)
from storage.dialect import locked
from storage.narrowing import narrowed
from storage.refs import next_ref
from storage.tables import PostPupilRow, PostRow, PostVersionRow, SignOffRow

_SCALARS = (
    "ref",
    "requester",
    "account_id",
    "site_id",
    "status",
    "revision",
    "created_at",
    "nudged_at",
    "decided_at",
    "published_at",
    "published_by",
    "published_url",
)


class SqlPostStore:
    """Implements bot.posts.ports.PostStore on one session. Versions and sign-offs are only
    ever added: saving a request writes the ones it has not written before."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_ref(self, year: int) -> str:
        return await next_ref(self._session, "PR", year)

    async def add(self, post: PostRequest, *, source_key: str) -> None:
        row = PostRow(source_key=source_key, **_row_values(post))
        self._session.add(row)
        await self._session.flush()
        post.id = row.id
        await self._write_new(post, versions_known=0, signoffs_known=0)

    async def by_source_key(self, key: str) -> PostRequest | None:
        row = (await self._session.exec(select(PostRow).where(PostRow.source_key == key))).first()
        return await self._load(row) if row else None

    async def ref_of_version(self, source_key: str) -> str | None:
        """The request a version with this source key was recorded on (a resubmitted form)."""
        query = (
            select(PostRow.ref)
            .join(PostVersionRow, col(PostVersionRow.post_id) == col(PostRow.id))
            .where(PostVersionRow.source_key == source_key)
        )
        return (await self._session.exec(query)).first()

    async def get(self, ref: str, *, for_update: bool = False) -> PostRequest | None:
        query = select(PostRow).where(PostRow.ref == ref)
        if for_update:
            query = locked(self._session, query)
        row = (await self._session.exec(query)).first()
        return await self._load(row) if row else None

    async def save(self, post: PostRequest) -> None:
        assert post.id is not None
        known_versions = await self._count(PostVersionRow, post.id)
        known_signoffs = await self._count(SignOffRow, post.id)
        await self._session.execute(
            update(PostRow).where(col(PostRow.id) == post.id).values(**_row_values(post))
        )
        await self._write_new(post, versions_known=known_versions, signoffs_known=known_signoffs)

    async def open_requests(self) -> list[PostRequest]:
        """Requests still waiting for sign-off or for changes, oldest first."""
        return await self._many(
            select(PostRow)
            .where(col(PostRow.status).in_([s.value for s in OPEN]))
            .order_by(col(PostRow.created_at))
        )

    async def due_for_expiry(self, now: datetime) -> list[PostRequest]:
        return await self._many(
            select(PostRow).where(
                col(PostRow.status).in_([s.value for s in OPEN]), col(PostRow.publish_at) <= now
            ),
            lock=True,
        )

    async def due_for_nudge(self, waiting_since: datetime) -> list[PostRequest]:
        """Pending requests submitted before `waiting_since` and not nudged since then."""
        return await self._many(
            select(PostRow).where(
                PostRow.status == Status.PENDING.value,
                col(PostRow.submitted_at) <= waiting_since,
                (col(PostRow.nudged_at).is_(None)) | (col(PostRow.nudged_at) <= waiting_since),
            ),
            lock=True,
        )

    async def made_by(self, email: str, *, limit: int = 10) -> list[PostRequest]:
        return await self._many(
            select(PostRow)
            .where(PostRow.requester == email)
            .order_by(col(PostRow.created_at).desc())
            .limit(limit)
        )

    async def approved_on(self, account_ids: list[str]) -> list[PostRequest]:
        """Approved requests on these accounts, waiting to be published."""
        return await self._many(
            select(PostRow)
            .where(
                PostRow.status == Status.APPROVED.value, col(PostRow.account_id).in_(account_ids)
            )
            .order_by(col(PostRow.publish_at))
        )

    async def requested_by(self, email: str) -> list[PostRequest]:
        """Every request this person made, oldest first."""
        return await self._many(
            select(PostRow)
            .where(PostRow.requester == email)
            .order_by(col(PostRow.created_at), col(PostRow.id))
        )

    async def for_export(self, narrowing: Narrowing) -> list[PostRequest]:
        """Requests the narrowing keeps, oldest first."""
        query = narrowed(
            select(PostRow),
            narrowing,
            site=PostRow.site_id,
            owner=PostRow.requester,
            moment=PostRow.created_at,
        )
        return await self._many(query.order_by(col(PostRow.created_at), col(PostRow.id)))

    async def _count(self, table: Any, post_id: int) -> int:
        rows = await self._session.exec(select(table.id).where(table.post_id == post_id))
        return len(rows.all())

    async def _many(self, query: Any, *, lock: bool = False) -> list[PostRequest]:
        if lock:
            query = locked(self._session, query, skip_locked=True, of=PostRow)
        rows = (await self._session.exec(query)).all()
        return [await self._load(row) for row in rows]

    async def _load(self, row: PostRow) -> PostRequest:
        versions = (
            await self._session.exec(
                select(PostVersionRow)
                .where(PostVersionRow.post_id == row.id)
                .order_by(col(PostVersionRow.number))
            )
        ).all()
        shown = (
            await self._session.exec(select(PostPupilRow).where(PostPupilRow.post_id == row.id))
        ).all()
        signoffs = (
            await self._session.exec(
                select(SignOffRow).where(SignOffRow.post_id == row.id).order_by(col(SignOffRow.id))
            )
        ).all()
        return PostRequest(
            id=row.id,
            ref=row.ref,
            requester=row.requester,
            account_id=row.account_id,
            site_id=row.site_id,
            objective=Objective(row.objective),
            status=Status(row.status),
            created_at=row.created_at,
            revision=row.revision,
            nudged_at=row.nudged_at,
            decided_at=row.decided_at,
            published_at=row.published_at,
            published_by=row.published_by,
            published_url=row.published_url,
            versions=[_version(v, [p for p in shown if p.version == v.number]) for v in versions],
            signoffs=[
                SignOff(
                    version=s.version,
                    slot=Slot(s.slot),
                    email=s.email,
                    decision=Decision(s.decision),
                    at=s.at,
                    comment=s.comment,
                    on_behalf_of=s.on_behalf_of,
                )
                for s in signoffs
            ],
        )

    async def _write_new(
        self, post: PostRequest, *, versions_known: int, signoffs_known: int
    ) -> None:
        assert post.id is not None
        for version in post.versions[versions_known:]:
            self._session.add(
                PostVersionRow(
                    post_id=post.id,
                    number=version.number,
                    source_key=version.source_key,
                    text=version.text,
                    publish_at=version.publish_at,
                    media_links=list(version.media_links),
                    shows=version.shows.value,
                    confirmations=list(version.confirmations),
                    findings=[f.__dict__ for f in version.findings],
                    submitted_at=version.submitted_at,
                    submitted_by=version.submitted_by,
                )
            )
            for pupil in version.pupils:
                self._session.add(
                    PostPupilRow(
                        post_id=post.id,
                        version=version.number,
                        pupil_id=pupil.pupil_id,
                        blurred=pupil.blurred,
                    )
                )
        for s in post.signoffs[signoffs_known:]:
            self._session.add(
                SignOffRow(
                    post_id=post.id,
                    version=s.version,
                    slot=s.slot.value,
                    email=s.email,
                    on_behalf_of=s.on_behalf_of,
                    decision=s.decision.value,
                    comment=s.comment,
                    at=s.at,
                )
            )
        await self._session.flush()


def _row_values(post: PostRequest) -> dict[str, Any]:
    values = {name: getattr(post, name) for name in _SCALARS}
    values["status"] = post.status.value
    values["objective"] = post.objective.value
    values["version"] = post.version
    values["submitted_at"] = post.current.submitted_at
    values["publish_at"] = post.current.publish_at
    return values


def _version(row: PostVersionRow, shown: list[PostPupilRow]) -> PostVersion:
    return PostVersion(
        number=row.number,
        text=row.text,
        publish_at=row.publish_at,
        shows=Shows(row.shows),
        media_links=tuple(row.media_links),
        pupils=tuple(ShownPupil(p.pupil_id, p.blurred) for p in shown),
        confirmations=tuple(row.confirmations),
        findings=tuple(Finding(**f) for f in row.findings),
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by,
        source_key=row.source_key,
    )
