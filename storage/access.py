# The access repository: authorised posters, account requests and added accounts.
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession


class SqlAccessStore:
    """Implements bot.access.ports.AccessStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
