# The append-only, hash-chained audit trail (the database refuses updates and deletes).
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from sqlalchemy import event, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.audit import AuditEvent
from bot.audit_chain import Break, ChainedEvent, Verdict, Walker, event_hash
from storage.tables import AuditChainRow, AuditRow


class UnsealedAudit(RuntimeError):
    """A session was committed with audit events still waiting to be chained."""


def _fields(e: AuditEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "record_type": e.record_type,
        "record_id": e.record_id,
        "before": e.before,
        "after": e.after,
        "detail": e.detail or None,
    }


async def lock_chain(session: AsyncSession) -> AuditChainRow:
    """Lock the chain's row for the rest of the transaction and read it. A no-op UPDATE takes
    the lock on every database: PostgreSQL's row lock, SQLite's write lock."""
    await session.execute(
        update(AuditChainRow).where(col(AuditChainRow.id) == 1).values(pruned=AuditChainRow.pruned)
    )
    row = (
        await session.exec(
            select(AuditChainRow)
            .where(AuditChainRow.id == 1)
            .execution_options(populate_existing=True)
        )
    ).one()
    return row


class SqlAuditLog:
    """Implements bot.ports.AuditLog on one session. Events wait in memory until `seal`, which
    the unit of work calls just before it commits: the chain's lock is held only while
    committing, so replicas queue there for milliseconds, and never while a flow works."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._pending: list[dict[str, Any]] = []
        event.listen(session.sync_session, "before_commit", self._refuse_unsealed)

    def _refuse_unsealed(self, _session: Any) -> None:
        if self._pending:
            raise UnsealedAudit(f"{len(self._pending)} audit event(s) not sealed before commit")

    async def append(self, event: AuditEvent) -> None:
        self._pending.append(_fields(event))

    async def append_many(self, events: Sequence[AuditEvent]) -> None:
        """Many events, written in one executemany when sealed (a bulk import stays fast)."""
        self._pending.extend(_fields(e) for e in events)

    async def seal(self) -> int:
        """Chain and write the waiting events after the current head; returns how many."""
        if not self._pending:
            return 0
        chain = await lock_chain(self._session)
        prev = chain.head_hash
        rows = []
        for fields in self._pending:
            digest = event_hash(fields, prev)
            rows.append({**fields, "prev_hash": prev, "hash": digest})
            prev = digest
        await self._session.execute(insert(AuditRow), rows)
        head_id = (await self._session.exec(select(func.max(AuditRow.id)))).one()
        await self._session.execute(
            update(AuditChainRow)
            .where(col(AuditChainRow.id) == 1)
            .values(head_id=head_id, head_hash=prev)
        )
        count = len(self._pending)
        self._pending.clear()
        return count

    async def for_record(self, record_type: str, record_id: str) -> list[AuditEvent]:
        await self.seal()
        return await self._events(
            select(AuditRow)
            .where(AuditRow.record_type == record_type, AuditRow.record_id == record_id)
            .order_by(col(AuditRow.id))
        )

    async def by_actor(self, actor: str) -> list[AuditEvent]:
        """Every event this person did, oldest first (a subject access request)."""
        await self.seal()
        return await self._events(
            select(AuditRow).where(AuditRow.actor == actor).order_by(col(AuditRow.id))
        )

    async def _events(self, query: Any) -> list[AuditEvent]:
        rows = (await self._session.exec(query)).all()
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


def chained(row: AuditRow) -> ChainedEvent:
    return ChainedEvent(
        id=row.id or 0,
        at=row.at,
        actor=row.actor,
        action=row.action,
        record_type=row.record_type,
        record_id=row.record_id,
        before=row.before,
        after=row.after,
        detail=row.detail,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


async def chain_state(session: AsyncSession) -> AuditChainRow:
    """The chain's row as last committed (not locked)."""
    return (await session.exec(select(AuditChainRow).where(AuditChainRow.id == 1))).one()


async def count_events(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(AuditRow))).one()


async def walk(session: AsyncSession, *, batch: int = 2000) -> AsyncIterator[list[ChainedEvent]]:
    """Every event in id order, a batch at a time (keyset pages, so memory stays flat)."""
    after = 0
    while True:
        rows = (
            await session.exec(
                select(AuditRow)
                .where(col(AuditRow.id) > after)
                .order_by(col(AuditRow.id))
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        yield [chained(r) for r in rows]
        after = rows[-1].id or after


async def verify_trail(
    session: AsyncSession, *, progress: Callable[[int], None] | None = None
) -> Verdict:
    """Walk the whole trail from retention's anchor to the head the store last wrote;
    `progress` hears how many events each batch held."""
    chain = await chain_state(session)
    if chain.anchor_id and not await _anchor_recorded(session, chain):
        return Verdict(0, chain.anchor_hash, Break(None, "unrecorded anchor"))
    walker = Walker(chain.anchor_hash)
    async for events in walk(session):
        for one in events:
            if not walker.feed(one):
                return walker.finish(None)
        if progress:
            progress(len(events))
    return walker.finish(chain.head_hash)


async def _anchor_recorded(session: AsyncSession, chain: AuditChainRow) -> bool:
    """Whether a retention run recorded the chain's anchor (its id and hash) in the trail."""
    runs = await session.exec(
        select(AuditRow)
        .where(AuditRow.action == "retention.applied")
        .order_by(col(AuditRow.id).desc())
    )
    for run in runs:
        anchor = (run.detail or {}).get("audit_anchor")
        if anchor:
            return anchor == {"id": chain.anchor_id, "hash": chain.anchor_hash}
    return False
