# The network repository: requests for a platform on the school network, and unblock requests.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.network.model import Kind, NetworkRequest, Status
from storage.refs import next_ref
from storage.tables import NetworkRequestRow, OutboxRow

_FIELDS = [f.name for f in fields(NetworkRequest) if f.name != "id"]


class SqlNetworkStore:
    """Implements bot.network.ports.NetworkStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.bind.dialect.name if self._session.bind else "sqlite"

    async def next_ref(self, prefix: str, year: int) -> str:
        """The next reference of the year, such as NW-2026-0001, unique on every replica."""
        return await next_ref(self._session, prefix, year)

    async def add(self, request: NetworkRequest, *, source_key: str) -> None:
        row = NetworkRequestRow(source_key=source_key, **_values(request))
        self._session.add(row)
        await self._session.flush()
        request.id = row.id

    async def by_source_key(self, key: str) -> NetworkRequest | None:
        query = select(NetworkRequestRow).where(NetworkRequestRow.source_key == key)
        row = (await self._session.exec(query)).first()
        return _request(row) if row else None

    async def get(self, ref: str, *, for_update: bool = False) -> NetworkRequest | None:
        query = select(NetworkRequestRow).where(NetworkRequestRow.ref == ref)
        if for_update and self._dialect == "postgresql":
            query = query.with_for_update()
        row = (await self._session.exec(query)).first()
        return _request(row) if row else None

    async def save(self, request: NetworkRequest) -> None:
        assert request.id is not None
        await self._session.execute(
            update(NetworkRequestRow)
            .where(col(NetworkRequestRow.id) == request.id)
            .values(**_values(request))
        )

    async def waiting(self, kind: Kind, statuses: Sequence[Status]) -> list[NetworkRequest]:
        query = (
            select(NetworkRequestRow)
            .where(
                NetworkRequestRow.kind == kind.value,
                col(NetworkRequestRow.status).in_([s.value for s in statuses]),
            )
            .order_by(col(NetworkRequestRow.id))
        )
        return [_request(row) for row in (await self._session.exec(query)).all()]

    async def made_by(self, email: str, *, limit: int = 10) -> list[NetworkRequest]:
        query = (
            select(NetworkRequestRow)
            .where(NetworkRequestRow.requester == email)
            .order_by(col(NetworkRequestRow.id).desc())
            .limit(limit)
        )
        return [_request(row) for row in (await self._session.exec(query)).all()]

    async def card_threads(self, thread_prefix: str) -> list[tuple[str, str]]:
        pattern = thread_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = (
            select(OutboxRow.recipient, OutboxRow.thread)
            .where(col(OutboxRow.thread).like(pattern + "%", escape="\\"))
            .group_by(col(OutboxRow.recipient), col(OutboxRow.thread))
            .order_by(func.min(OutboxRow.id))
        )
        return [(str(r), str(t)) for r, t in (await self._session.exec(query)).all()]

    async def for_upkeep(self, today: date) -> list[NetworkRequest]:
        """Waiting requests, and applied platforms ended before `today` whose access the IT
        provider has yet to remove; locked (skipping rows another replica holds)."""
        row = NetworkRequestRow
        waiting = col(row.status).in_([Status.REQUESTED.value, Status.APPROVED.value])
        ended = and_(
            row.status == Status.DONE.value,
            row.kind == Kind.PLATFORM.value,
            col(row.ends_on) < today,
        )
        query = select(row).where(or_(waiting, ended)).order_by(col(row.id))
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [_request(r) for r in (await self._session.exec(query)).all()]


def _values(request: NetworkRequest) -> dict[str, Any]:
    data = {name: getattr(request, name) for name in _FIELDS}
    data["kind"], data["status"] = request.kind.value, request.status.value
    return data


def _request(row: NetworkRequestRow) -> NetworkRequest:
    data = {name: getattr(row, name) for name in _FIELDS}
    data["kind"], data["status"] = Kind(row.kind), Status(row.status)
    return NetworkRequest(id=row.id, **data)
