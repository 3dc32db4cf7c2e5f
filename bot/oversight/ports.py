# What oversight needs from storage: counts across the flows' records, and last week's figures.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ReportCount:
    """How many reports of one site, category and state are about `subject` (or no one)."""

    site_id: str
    category: str
    status: str
    subject: str | None
    count: int


class OversightStore(Protocol):
    async def report_counts(self, since: datetime) -> list[ReportCount]:
        """Reports received since `since`, counted by site, category, state and subject."""
        ...

    async def posts_waiting(self) -> dict[str, int]:
        """Post requests waiting for sign-off, by the site of their account (or "trust")."""
        ...

    async def declarations_waiting(self) -> dict[str, int]:
        """Declarations not yet acknowledged by a Safeguarding Lead, by the pupil's site."""
        ...

    async def snapshot_before(self, viewer: str, scope: str, week: str) -> dict[str, int] | None:
        """The figures of the latest digest to `viewer` for `scope` before `week`."""
        ...

    async def save_snapshot(
        self, viewer: str, scope: str, week: str, figures: Mapping[str, int], at: datetime
    ) -> None:
        """Keep the figures a digest showed (once per viewer, scope and week)."""
        ...
