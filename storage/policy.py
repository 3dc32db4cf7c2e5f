# The policy repository (rule P1): reviews, announced changes and acknowledgements as rows.
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, insert, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.policy.model import Change, Review, ReviewState
from storage.dialect import insert_into, locked
from storage.refs import next_ref
from storage.tables import PolicyAckRow, PolicyChangeRow, PolicyReviewRow

REVIEW = PolicyReviewRow.__table__  # type: ignore[attr-defined]
CHANGE = PolicyChangeRow.__table__  # type: ignore[attr-defined]
ACK = PolicyAckRow.__table__  # type: ignore[attr-defined]


class SqlPolicyStore:
    """Implements bot.policy.ports.PolicyStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_ref(self, prefix: str, year: int) -> str:
        return await next_ref(self._session, prefix, year)

    # --- reviews ---

    async def add_review(self, review: Review, *, source_key: str) -> None:
        values = {"source_key": source_key, **_review_values(review)}
        result = await self._session.execute(insert(REVIEW).values(values).returning(REVIEW.c.id))
        review.id = result.scalar_one()

    async def review_by_source_key(self, key: str) -> Review | None:
        return await self._one_review(select(REVIEW).where(REVIEW.c.source_key == key))

    async def review(self, ref: str, *, for_update: bool = False) -> Review | None:
        query = select(REVIEW).where(REVIEW.c.ref == ref)
        if for_update:
            query = locked(self._session, query)
        return await self._one_review(query)

    async def waiting_review(self) -> Review | None:
        query = select(REVIEW).where(REVIEW.c.state == ReviewState.WAITING.value)
        return await self._one_review(query.order_by(REVIEW.c.id.desc()).limit(1))

    async def latest_ratified(self) -> Review | None:
        query = (
            select(REVIEW)
            .where(REVIEW.c.state == ReviewState.RATIFIED.value)
            .order_by(REVIEW.c.decided_at.desc(), REVIEW.c.id.desc())
            .limit(1)
        )
        return await self._one_review(query)

    async def decide(self, review: Review) -> bool:
        statement = (
            update(REVIEW)
            .where(REVIEW.c.id == review.id, REVIEW.c.state == ReviewState.WAITING.value)
            .values(
                state=review.status.value,
                decided_by=review.decided_by,
                decided_at=review.decided_at,
                reason=review.reason,
                revision=review.revision,
            )
        )
        result: Any = await self._session.execute(statement)
        return bool(result.rowcount == 1)

    async def _one_review(self, query: Any) -> Review | None:
        row = (await self._session.execute(query)).mappings().first()
        return _review(row) if row else None

    # --- changes and acknowledgements ---

    async def add_change(self, change: Change, *, source_key: str) -> Change:
        values = {
            "ref": change.ref,
            "source_key": source_key,
            "summary": change.summary,
            "link": change.link,
            "announced_by": change.announced_by,
            "announced_at": change.announced_at,
            "staff": list(change.staff),
            "nudged_week": change.nudged_week,
        }
        result = await self._session.execute(insert(CHANGE).values(values).returning(CHANGE))
        return _change(result.mappings().one())

    async def change_by_source_key(self, key: str) -> Change | None:
        return await self._one_change(select(CHANGE).where(CHANGE.c.source_key == key))

    async def change(self, ref: str) -> Change | None:
        return await self._one_change(select(CHANGE).where(CHANGE.c.ref == ref))

    async def latest_change(self) -> Change | None:
        query = select(CHANGE).order_by(CHANGE.c.announced_at.desc(), CHANGE.c.id.desc())
        return await self._one_change(query.limit(1))

    async def unacknowledged(self, email: str) -> list[Change]:
        # JSON containment differs between SQLite and PostgreSQL: narrow with LIKE, then check.
        acked = select(ACK.c.id).where(ACK.c.change_id == CHANGE.c.id, ACK.c.email == email)
        query = (
            select(CHANGE)
            .where(cast(CHANGE.c.staff, String).like(f'%"{email}"%'), ~exists(acked))
            .order_by(CHANGE.c.announced_at.desc(), CHANGE.c.id.desc())
        )
        rows = (await self._session.execute(query)).mappings()
        return [change for change in map(_change, rows) if email in change.staff]

    async def acks(self, change_id: int) -> dict[str, datetime]:
        query = select(ACK.c.email, ACK.c.acked_at).where(ACK.c.change_id == change_id)
        rows = await self._session.execute(query)
        return dict(rows.tuples().all())

    async def add_ack(self, change_id: int, email: str, at: datetime) -> bool:
        statement = (
            insert_into(self._session, ACK)
            .values(change_id=change_id, email=email, acked_at=at)
            .on_conflict_do_nothing(index_elements=["change_id", "email"])
            .returning(ACK.c.id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def changes_to_nudge(self, week: str) -> list[Change]:
        query = (
            select(CHANGE)
            .where(or_(CHANGE.c.nudged_week.is_(None), CHANGE.c.nudged_week != week))
            .order_by(CHANGE.c.id)
        )
        query = locked(self._session, query, skip_locked=True)
        return [_change(row) for row in (await self._session.execute(query)).mappings()]

    async def mark_nudged(self, change_id: int, week: str) -> None:
        await self._session.execute(
            update(CHANGE).where(CHANGE.c.id == change_id).values(nudged_week=week)
        )

    async def _one_change(self, query: Any) -> Change | None:
        row = (await self._session.execute(query)).mappings().first()
        return _change(row) if row else None


def _review_values(review: Review) -> dict[str, Any]:
    return {
        "ref": review.ref,
        "requested_by": review.requested_by,
        "requested_at": review.requested_at,
        "next_review": review.next_review,
        "sent_to": list(review.sent_to),
        "summary": review.summary,
        "link": review.link,
        "state": review.status.value,
        "decided_by": review.decided_by,
        "decided_at": review.decided_at,
        "reason": review.reason,
        "revision": review.revision,
    }


def _review(row: Any) -> Review:
    return Review(
        id=row["id"],
        ref=row["ref"],
        requested_by=row["requested_by"],
        requested_at=row["requested_at"],
        next_review=row["next_review"],
        sent_to=tuple(row["sent_to"] or ()),
        summary=row["summary"],
        link=row["link"],
        status=ReviewState(row["state"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        reason=row["reason"],
        revision=row["revision"],
    )


def _change(row: Any) -> Change:
    return Change(
        id=row["id"],
        ref=row["ref"],
        summary=row["summary"],
        link=row["link"],
        announced_by=row["announced_by"],
        announced_at=row["announced_at"],
        staff=tuple(row["staff"] or ()),
        nudged_week=row["nudged_week"],
    )
