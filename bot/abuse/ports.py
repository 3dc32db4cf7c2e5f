# What the abuse log needs from storage: the log's entries and their screenshots.
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.abuse.model import AbuseEntry, Screenshot
from bot.narrowing import Narrowing


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

    async def latest_logged_by(self, email: str, since: datetime) -> AbuseEntry | None:
        """The newest entry this person logged at or after `since`."""
        ...

    async def add_screenshot(self, shot: Screenshot, *, source_key: str) -> bool:
        """Insert a screenshot (sets `shot.id`); False, adding nothing, for a key seen before."""
        ...

    async def screenshots_of(self, refs: Sequence[str]) -> dict[str, list[Screenshot]]:
        """Each entry's screenshots, oldest first, without their bytes."""
        ...

    async def screenshots_waiting(self, now: datetime, *, limit: int) -> list[Screenshot]:
        """Screenshots still to fetch whose next try is due, oldest first."""
        ...

    async def get_screenshot(
        self, shot_id: int, *, for_update: bool = False
    ) -> Screenshot | None: ...

    async def save_screenshot(self, shot: Screenshot, *, content: bytes | None = None) -> None:
        """Save its state (and its bytes, when given)."""
        ...

    async def screenshot_content(self, shot_id: int) -> bytes | None:
        """The bytes kept, if any."""

    async def for_export(self, narrowing: Narrowing) -> list[AbuseEntry]:
        """Entries the narrowing keeps, newest first."""
        ...
