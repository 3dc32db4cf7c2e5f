# What the abuse log needs from storage: the log's entries.
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.abuse.model import AbuseEntry


class AbuseStore(Protocol):
    async def next_ref(self, year: int) -> str:
        """The next reference, AL-YYYY-NNNN."""
        ...

    async def add(self, entry: AbuseEntry, *, source_key: str) -> None:
        """Insert a new entry (sets `entry.id`)."""
        ...

    async def by_source_key(self, key: str) -> AbuseEntry | None:
        """The entry a form submission (or a misuse report) made, when it was made before."""
        ...

    async def get(self, ref: str, *, for_update: bool = False) -> AbuseEntry | None: ...

    async def save(self, entry: AbuseEntry) -> None: ...

    async def every(self) -> list[AbuseEntry]:
        """The whole log, newest first."""
        ...

    async def at_sites(self, site_ids: Sequence[str]) -> list[AbuseEntry]:
        """Entries about these sites, newest first."""
        ...

    async def logged_by(self, email: str) -> list[AbuseEntry]:
        """A person's own entries, newest first."""
        ...

    async def due_for_escalation(self, reported_before: datetime) -> list[AbuseEntry]:
        """Entries reported to the platform before `reported_before`, still in that state and
        never nudged; on PostgreSQL, locked rows are skipped."""
        ...
