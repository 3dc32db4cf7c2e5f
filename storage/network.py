# The network repository: requests for a platform on the school network, and unblock requests.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.network.model import Kind, NetworkRequest, Status
from storage.dialect import locked
from storage.records import RecordTable
from storage.refs import next_ref
from storage.tables import NetworkRequestRow, OutboxRow

_FIELDS = [f.name for f in fields(NetworkRequest) if f.name != "id"]


class SqlNetworkStore:
    """Implements bot.network.ports.NetworkStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._requests = RecordTable(session, NetworkRequestRow, values=_values, load=_request)

    async def next_ref(self, prefix: str, year: int) -> str:
        """The next reference of the year, such as NW-2026-0001, unique on every replica."""
        return await next_ref(self._session, prefix, year)

    async def add(self, request: NetworkRequest, *, source_key: str) -> None:
        await self._requests.add(request, source_key=source_key)

    async def by_source_key(self, key: str) -> NetworkRequest | None:
        return await self._requests.by_source_key(key)

    async def get(self, ref: str, *, for_update: bool = False) -> NetworkRequest | None:
        return await self._requests.by_ref(ref, for_update=for_update)

    async def save(self, request: NetworkRequest) -> None:
        await self._requests.save(request)

    async def waiting(self, kind: Kind, statuses: Sequence[Status]) -> list[NetworkRequest]:
        query = (
            select(NetworkRequestRow)
            .where(
                NetworkRequestRow.kind == kind.value,
                col(NetworkRequestRow.status).in_([s.value for s in statuses]),
            )
            .order_by(col(NetworkRequestRow.id))
        )
        return await self._requests.many(query)

    async def made_by(self, email: str, *, limit: int = 10) -> list[NetworkRequest]:
        query = (
            select(NetworkRequestRow)
            .where(NetworkRequestRow.requester == email)
            .order_by(col(NetworkRequestRow.id).desc())
            .limit(limit)
        )
        return await self._requests.many(query)

    async def card_threads(self, thread_prefix: str) -> list[tuple[str, str]]:
        query = (
            select(OutboxRow.recipient, OutboxRow.thread)
            .where(col(OutboxRow.thread).startswith(thread_prefix, autoescape=True))
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
        return await self._requests.many(locked(self._session, query, skip_locked=True))


def _values(request: NetworkRequest) -> dict[str, Any]:
    data = {name: getattr(request, name) for name in _FIELDS}
    data["kind"], data["status"] = request.kind.value, request.status.value
    return data


def _request(row: NetworkRequestRow) -> NetworkRequest:
    data = {name: getattr(row, name) for name in _FIELDS}
    data["kind"], data["status"] = Kind(row.kind), Status(row.status)
    return NetworkRequest(id=row.id, **data)
