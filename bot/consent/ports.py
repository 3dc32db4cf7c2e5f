# What the consent flows need from storage: the repository of the consent register.
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.consent.model import HistoryEntry, Pupil


class PupilStore(Protocol):
    """The consent register: pupils' current records and every version of them.

    Pupil ids are integers; `get_many` also takes them as strings of digits, as forms send them.
    Writing a version (`add`, `save` and their bulk forms) always writes its history row too,
    and history rows are never changed.
    """

    async def get(self, pupil_id: int, *, for_update: bool = False) -> Pupil | None: ...

    async def get_many(self, ids: Sequence[int]) -> list[Pupil]:
        """The pupils with these ids that exist, in the order asked for."""
        ...

    async def search(self, site_ids: Sequence[str], query: str, limit: int = 50) -> list[Pupil]:
        """Pupils at these sites whose first, preferred or last name matches every word of the
        query (any case, accents ignored), by last name then first name."""
        ...

    async def by_site(self, site_id: str, *, for_update: bool = False) -> dict[str, Pupil]:
        """Every pupil of a site, by MIS id."""
        ...

    async def add(self, pupil: Pupil, entry: HistoryEntry) -> None:
        """Insert a new pupil (sets `pupil.id`) and its first history row."""
        ...

    async def save(self, pupil: Pupil, entry: HistoryEntry) -> None:
        """Store a new version of a pupil (`pupil.version` already one up) and its history row;
        raises StaleRecord when the stored version is not the one before."""
        ...

    async def add_many(self, versions: Sequence[tuple[Pupil, HistoryEntry]]) -> None:
        """`add` for many pupils in a few statements."""
        ...

    async def save_many(self, versions: Sequence[tuple[Pupil, HistoryEntry]]) -> None:
        """`save` for many pupils in a few statements."""
        ...

    async def history(self, pupil_id: int) -> list[HistoryEntry]:
        """Every version of a pupil, oldest first."""
        ...

    async def turning_18_by(self, day: date, *, without_task: bool = False) -> list[Pupil]:
        """Pupils whose 18th birthday is on or before `day`; with `without_task`, only those
        who have no consent-at-18 task yet."""
        ...
