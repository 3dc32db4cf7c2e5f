# Chat identities: which Slack (or Teams) user and DM channel belong to which e-mail.
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from bot.ports import ChatIdentity
from storage.tables import ChatIdentityRow


class SqlIdentities:
    """Implements bot.ports.IdentityStore: a small cache of chat ids by e-mail, shared by
    every replica through the database."""

    def __init__(self, sessions: Any) -> None:
        self._sessions = sessions

    async def get(self, channel: str, email: str) -> ChatIdentity | None:
        async with self._sessions() as session:
            row = await session.get(ChatIdentityRow, (email, channel))
        return ChatIdentity(row.email, row.user_id, row.dm_channel) if row else None

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
        self, channel: str, email: str, user_id: str, now: datetime, *, dm: str | None = None
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
            row.updated_at = now
            session.add(row)
            await session.commit()
