# The post request repository: requests, their versions, pupils shown, sign-offs, delegations.
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession


class SqlPostStore:
    """Implements bot.posts.ports.PostStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
