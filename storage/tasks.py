# The task repository: take-down and consent-at-18 tasks.
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession


class SqlTaskStore:
    """Implements bot.tasks.ports.TaskStore on one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
