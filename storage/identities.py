# Chat identities: which Slack or Teams user (and DM, or Teams conversation) belongs to which
# e-mail, and when each person last used each channel.
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.ports import ChatIdentity
from storage.tables import ChatIdentityRow


class SqlIdentities:
    """Implements bot.ports.IdentityStore: chat ids by e-mail, shared by every replica
    through the database."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions

    async def get(self, channel: str, email: str) -> ChatIdentity | None:
        async with self._sessions() as session:
            row = await session.get(ChatIdentityRow, (email, channel))
        return _identity(row) if row else None

    async def email_for(self, channel: str, user_id: str) -> str | None:
        async with self._sessions() as session:
            return (
                await session.exec(
                    select(ChatIdentityRow.email).where(
                        ChatIdentityRow.channel == channel, ChatIdentityRow.user_id == user_id
                    )
                )
            ).first()

    async def remember(
        self,
        channel: str,
        email: str,
        user_id: str,
        now: datetime,
        *,
        dm: str | None = None,
        service_url: str | None = None,
        aad_object_id: str | None = None,
        tenant_id: str | None = None,
        seen: bool = False,
    ) -> None:
        """Store (or correct) the id of a person; a user id moving to another e-mail moves too."""
        async with self._sessions() as session:
            for row in (
                await session.exec(
                    select(ChatIdentityRow).where(
                        ChatIdentityRow.channel == channel, ChatIdentityRow.user_id == user_id
                    )
                )
            ).all():
                if row.email != email:
                    await session.delete(row)
            await session.flush()
            row = await session.get(ChatIdentityRow, (email, channel))
            if row is None:
                row = ChatIdentityRow(email=email, channel=channel, user_id=user_id)
            elif row.user_id != user_id:
                row.user_id, row.dm_channel = user_id, None
            row.dm_channel = dm or row.dm_channel
            row.service_url = service_url or row.service_url
            row.aad_object_id = aad_object_id or row.aad_object_id
            row.tenant_id = tenant_id or row.tenant_id
            if seen:
                row.last_seen_at = now
            row.updated_at = now
            session.add(row)
            await session.commit()

    async def forget_dm(self, channel: str, email: str) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(ChatIdentityRow)
                .where(col(ChatIdentityRow.email) == email, ChatIdentityRow.channel == channel)
                .values(dm_channel=None)
            )
            await session.commit()

    async def seen(self, channel: str, email: str, now: datetime) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(ChatIdentityRow)
                .where(col(ChatIdentityRow.email) == email, ChatIdentityRow.channel == channel)
                .values(last_seen_at=now)
            )
            await session.commit()

    async def last_seen(self, email: str) -> dict[str, datetime | None]:
        async with self._sessions() as session:
            rows = (
                await session.exec(
                    select(ChatIdentityRow.channel, ChatIdentityRow.last_seen_at).where(
                        ChatIdentityRow.email == email
                    )
                )
            ).all()
        return {channel: when for channel, when in rows}


def _identity(row: ChatIdentityRow) -> ChatIdentity:
    return ChatIdentity(
        row.email,
        row.user_id,
        row.dm_channel,
        row.service_url,
        row.aad_object_id,
        row.tenant_id,
        row.last_seen_at,
    )
