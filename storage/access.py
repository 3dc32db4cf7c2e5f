# The access repository: authorised posters, account requests and added accounts.
from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.access.model import (
    OPEN_STATUSES,
    AccountRequest,
    AccountStatus,
    GrantStatus,
    PosterGrant,
)
from bot.directory import Account
from storage.dialect import on_postgresql
from storage.records import RecordTable
from storage.refs import next_ref
from storage.tables import (
    AccountRequestRow,
    OutboxRow,
    PosterGrantRow,
    SocialAccountRow,
)

_GRANT = [f.name for f in fields(PosterGrant) if f.name != "id"]
_REQUEST = [f.name for f in fields(AccountRequest) if f.name != "id"]


class SqlAccessStore:
    """Implements bot.access.ports.AccessStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._grants = RecordTable(session, PosterGrantRow, values=_grant_values, load=_grant)
        self._requests = RecordTable(
            session, AccountRequestRow, values=_request_values, load=_request
        )

    async def next_ref(self, prefix: str, year: int) -> str:
        """The next reference of the year, such as PA-2026-0001, unique on every replica."""
        return await next_ref(self._session, prefix, year)

    async def lock_pair(self, account_id: str, email: str) -> None:
        """A transaction-long advisory lock on PostgreSQL (SQLite has one writer anyway)."""
        if on_postgresql(self._session):
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"poster_grant:{account_id}:{email}"},
            )

    # --- poster grants ---

    async def add_grant(self, grant: PosterGrant, *, source_key: str) -> None:
        await self._grants.add(grant, source_key=source_key)

    async def grant_by_source_key(self, key: str) -> PosterGrant | None:
        return await self._grants.by_source_key(key)

    async def grant(self, ref: str, *, for_update: bool = False) -> PosterGrant | None:
        return await self._grants.by_ref(ref, for_update=for_update)

    async def save_grant(self, grant: PosterGrant) -> None:
        await self._grants.save(grant)

    async def open_grant(self, account_id: str, email: str) -> PosterGrant | None:
        query = (
            select(PosterGrantRow)
            .where(
                PosterGrantRow.account_id == account_id,
                PosterGrantRow.email == email,
                col(PosterGrantRow.status).in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(col(PosterGrantRow.id))
        )
        return await self._grants.first(query)

    async def active_grants(self, account_id: str | None = None) -> list[PosterGrant]:
        query = select(PosterGrantRow).where(PosterGrantRow.status == GrantStatus.ACTIVE.value)
        if account_id is not None:
            query = query.where(PosterGrantRow.account_id == account_id)
        return await self._grants.many(query.order_by(col(PosterGrantRow.id)))

    async def requested_grants(self) -> list[PosterGrant]:
        query = select(PosterGrantRow).where(PosterGrantRow.status == GrantStatus.REQUESTED.value)
        return await self._grants.many(query.order_by(col(PosterGrantRow.id)))

    async def grants_of(self, email: str) -> list[PosterGrant]:
        query = select(PosterGrantRow).where(PosterGrantRow.email == email)
        return await self._grants.many(query.order_by(col(PosterGrantRow.id).desc()))

    async def card_holders(self, thread_prefix: str) -> list[str]:
        query = (
            select(OutboxRow.recipient)
            .where(col(OutboxRow.thread).startswith(thread_prefix, autoescape=True))
            .group_by(col(OutboxRow.recipient))
            .order_by(func.min(OutboxRow.id))
        )
        return list((await self._session.exec(query)).all())

    # --- new-account requests and added accounts ---

    async def add_account_request(self, request: AccountRequest, *, source_key: str) -> None:
        await self._requests.add(request, source_key=source_key)

    async def account_request_by_source_key(self, key: str) -> AccountRequest | None:
        return await self._requests.by_source_key(key)

    async def account_request(self, ref: str, *, for_update: bool = False) -> AccountRequest | None:
        return await self._requests.by_ref(ref, for_update=for_update)

    async def save_account_request(self, request: AccountRequest) -> None:
        await self._requests.save(request)

    async def requested_account_requests(self) -> list[AccountRequest]:
        query = select(AccountRequestRow).where(
            AccountRequestRow.status == AccountStatus.REQUESTED.value
        )
        return await self._requests.many(query.order_by(col(AccountRequestRow.id)))

    async def account_requests_by(self, email: str) -> list[AccountRequest]:
        query = (
            select(AccountRequestRow)
            .where(AccountRequestRow.requester == email)
            .order_by(col(AccountRequestRow.id).desc())
            .limit(10)
        )
        return await self._requests.many(query)

    async def added_accounts(self) -> list[Account]:
        query = select(SocialAccountRow).order_by(
            col(SocialAccountRow.created_at), col(SocialAccountRow.id)
        )
        rows = (await self._session.exec(query)).all()
        return [Account(r.id, r.site_id, r.platform, r.handle) for r in rows]

    async def add_account(
        self, account: Account, *, created_at: datetime, from_request: str
    ) -> None:
        self._session.add(
            SocialAccountRow(
                id=account.id,
                site_id=account.site,
                platform=account.platform,
                handle=account.handle,
                created_at=created_at,
                from_request=from_request,
            )
        )
        await self._session.flush()


def _grant_values(grant: PosterGrant) -> dict[str, Any]:
    data = {name: getattr(grant, name) for name in _GRANT}
    data["status"] = grant.status.value
    return data


def _grant(row: PosterGrantRow) -> PosterGrant:
    data = {name: getattr(row, name) for name in _GRANT}
    data["status"] = GrantStatus(row.status)
    return PosterGrant(id=row.id, **data)


def _request_values(request: AccountRequest) -> dict[str, Any]:
    data = {name: getattr(request, name) for name in _REQUEST}
    data["status"] = request.status.value
    data["runners"] = list(request.runners)
    return data


def _request(row: AccountRequestRow) -> AccountRequest:
    data = {name: getattr(row, name) for name in _REQUEST}
    data["status"] = AccountStatus(row.status)
    data["runners"] = list(row.runners or [])
    return AccountRequest(id=row.id, **data)
