# The outbox: messages queued in the same transaction as the change that needs them, and the
# queries the delivery worker uses to claim, finish, retry and dead-letter them.
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import Claimed
from bot.messages import Message
from bot.outbox import BULK, NOT_REACHABLE_YET, MailAddresses, OutboxItem
from bot.ports import Delivery
from storage.dialect import insert_into, locked
from storage.tables import OutboxRow

PENDING, SENDING, SENT, DEAD = "pending", "sending", "sent", "dead"
CHUNK = 900  # keys per query, under SQLite's limit of bound parameters


class SqlOutbox:
    """Implements bot.ports.Outbox: queue a message once per key, in the caller's transaction."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session = session
        self._now = now

    async def add(self, item: OutboxItem) -> bool:
        statement = (
            insert_into(self._session, OutboxRow)
            .values(
                key=item.key,
                recipient=item.recipient,
                thread=item.thread,
                replace=item.replace,
                via=item.via,
                priority=item.priority,
                mail=item.mail.to_dict() if item.mail else None,
                payload=item.message.to_dict(),
                status=PENDING,
                attempts=0,
                next_attempt_at=self._now,
                created_at=self._now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OutboxRow.id)
        )
        result: Any = await self._session.execute(statement)
        return result.scalar_one_or_none() is not None

    async def deliveries(self, keys: Sequence[str]) -> dict[str, Delivery]:
        found: dict[str, Delivery] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), CHUNK):
            query = select(
                OutboxRow.key, OutboxRow.status, OutboxRow.sent_at, OutboxRow.last_error
            ).where(col(OutboxRow.key).in_(wanted[start : start + CHUNK]))
            for key, *state in (await self._session.exec(query)).all():
                found[key] = Delivery(*state)
        return found


class OutboxQueue:
    """Implements bot.delivery.DeliveryQueue, each call its own short transaction; and the
    admin's view of dead letters."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions

    async def claim(
        self,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        via: tuple[str, ...] = ("chat",),
        most: int = BULK,
    ) -> list[Claimed]:
        """Take due items sent `via` these kinds, of priority `most` or more urgent, the most
        urgent first. Per recipient, only their oldest item of each priority and above goes,
        so each person gets their messages in order, while an alert never waits behind a
        campaign's message to the same person; a card's revisions (one thread) always go in
        order, whatever their priorities. Safe with several workers: a claim is a
        conditional update, and on PostgreSQL the candidates are locked with
        `FOR UPDATE SKIP LOCKED`, so concurrent workers take different messages instead of
        racing for the same ones."""
        older = aliased(OutboxRow)
        due = or_(
            and_(OutboxRow.status == PENDING, col(OutboxRow.next_attempt_at) <= now),
            and_(OutboxRow.status == SENDING, col(OutboxRow.lease_until) < now),
        )
        blocked = exists().where(
            older.recipient == OutboxRow.recipient,
            col(older.id) < col(OutboxRow.id),
            col(older.status).in_([PENDING, SENDING]),
            or_(
                col(older.priority) <= col(OutboxRow.priority),
                older.thread == OutboxRow.thread,  # a card's revisions go in order
            ),
        )
        claimed: list[Claimed] = []
        async with self._sessions() as session:
            query = (
                select(OutboxRow)
                .where(due, ~blocked, col(OutboxRow.via).in_(via), col(OutboxRow.priority) <= most)
                .order_by(col(OutboxRow.priority), col(OutboxRow.id))
                .limit(limit)
            )
            query = locked(session, query, skip_locked=True, of=OutboxRow)
            rows = (await session.exec(query)).all()
            for row in rows:
                assert row.id is not None and row.payload is not None
                item = Claimed(
                    row.id,
                    row.key,
                    row.recipient,
                    Message.from_dict(row.payload),
                    row.thread,
                    row.replace,
                    row.attempts + 1,
                    recovering=row.status == SENDING,
                    via=row.via,
                    mail=MailAddresses.from_dict(row.mail) if row.mail else None,
                    priority=row.priority,
                )
                result: Any = await session.execute(
                    update(OutboxRow)
                    .where(
                        col(OutboxRow.id) == row.id,
                        OutboxRow.status == row.status,
                        OutboxRow.attempts == row.attempts,
                    )
                    .values(status=SENDING, lease_until=now + lease, attempts=item.attempts)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    claimed.append(item)
            await session.commit()
        return claimed

    async def previous_ref(self, recipient: str, thread: str) -> str | None:
        """Where the card of a thread was last delivered, to update it in place."""
        async with self._sessions() as session:
            return (
                await session.exec(
                    select(OutboxRow.channel_ref)
                    .where(
                        OutboxRow.recipient == recipient,
                        OutboxRow.thread == thread,
                        OutboxRow.status == SENT,
                    )
                    .order_by(col(OutboxRow.id).desc())
                    .limit(1)
                )
            ).first()

    async def current_message(self, recipient: str, ref: str) -> Message | None:
        """The newest version, not yet delivered, of the card delivered to `recipient` at
        `ref` (to show them at once when they clicked it); None when there is none."""
        async with self._sessions() as session:
            row = (
                await session.exec(
                    select(OutboxRow.recipient, OutboxRow.thread).where(
                        OutboxRow.recipient == recipient,
                        OutboxRow.channel_ref == ref,
                        OutboxRow.status == SENT,
                    )
                )
            ).first()
            if row is None or row[1] is None:
                return None
            payload = (
                await session.exec(
                    select(OutboxRow.payload)
                    .where(
                        OutboxRow.recipient == row[0],
                        OutboxRow.thread == row[1],
                        col(OutboxRow.status).in_([PENDING, SENDING]),
                    )
                    .order_by(col(OutboxRow.id).desc())
                    .limit(1)
                )
            ).first()
        return Message.from_dict(payload) if payload else None

    async def sent(self, item_id: int, now: datetime, *, channel: str, ref: str) -> None:
        """Delivered: keep where it went, drop the content and addresses (the record holds
        them)."""
        await self._set(
            item_id,
            status=SENT,
            sent_at=now,
            channel=channel,
            channel_ref=ref,
            payload=None,
            mail=None,
            lease_until=None,
            last_error=None,
        )

    async def failed(self, item_id: int, *, reason: str, retry_at: datetime | None) -> None:
        """Not delivered: try again at `retry_at`, or dead-letter it when None."""
        if retry_at is None:
            await self._set(item_id, status=DEAD, last_error=reason[:500], lease_until=None)
        else:
            await self._set(
                item_id,
                status=PENDING,
                last_error=reason[:500],
                next_attempt_at=retry_at,
                lease_until=None,
            )

    async def requeue(self, item_id: int, *, reason: str, retry_at: datetime) -> None:
        """Not sent yet because of rate limits: wait until `retry_at` without counting this
        as a failed attempt (a long campaign must not dead-letter its tail)."""
        await self._set(
            item_id,
            status=PENDING,
            last_error=reason[:500],
            next_attempt_at=retry_at,
            lease_until=None,
            attempts=OutboxRow.attempts - 1,
        )

    async def dead(self) -> list[OutboxRow]:
        async with self._sessions() as session:
            return list(
                (await session.exec(select(OutboxRow).where(OutboxRow.status == DEAD))).all()
            )

    async def retry(self, item_id: int, now: datetime) -> bool:
        """Send a dead-lettered item again (for an admin, once the cause is mended)."""
        async with self._sessions() as session:
            result: Any = await session.execute(
                update(OutboxRow)
                .where(col(OutboxRow.id) == item_id, OutboxRow.status == DEAD)
                .values(status=PENDING, attempts=0, next_attempt_at=now)
            )
            await session.commit()
            return bool(result.rowcount)

    async def resume(self, recipient: str, now: datetime) -> int:
        """The person can be reached now (they opened the Teams app): their waiting messages
        are due at once, and those dead-lettered while they could not be reached are queued
        again. Returns how many messages that touched."""
        async with self._sessions() as session:
            waiting: Any = await session.execute(
                update(OutboxRow)
                .where(OutboxRow.recipient == recipient, OutboxRow.status == PENDING)
                .values(next_attempt_at=now)
            )
            revived: Any = await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.recipient == recipient,
                    OutboxRow.status == DEAD,
                    col(OutboxRow.last_error).startswith(NOT_REACHABLE_YET),
                )
                .values(status=PENDING, attempts=0, next_attempt_at=now)
            )
            await session.commit()
            return int(waiting.rowcount or 0) + int(revived.rowcount or 0)

    async def waiting(self) -> list[OutboxRow]:
        """Messages still pending after a failed attempt (with the reason), oldest first."""
        async with self._sessions() as session:
            query = (
                select(OutboxRow)
                .where(OutboxRow.status == PENDING, col(OutboxRow.last_error).is_not(None))
                .order_by(col(OutboxRow.id))
            )
            return list((await session.exec(query)).all())

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = (
                await session.exec(
                    select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
                )
            ).all()
        return {status: count for status, count in rows}

    async def _set(self, item_id: int, **values: Any) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(OutboxRow).where(col(OutboxRow.id) == item_id).values(**values)
            )
            await session.commit()
