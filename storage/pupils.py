# The consent register repository: pupils and their append-only consent history.
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession


class SqlPupilStore:
    """Implements bot.consent.ports.PupilStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
