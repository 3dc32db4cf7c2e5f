# What the policy flows (rule P1) need from storage: reviews, changes and acknowledgements.
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.policy.model import Change, Review


class PolicyStore(Protocol):
    async def next_ref(self, prefix: str, year: int) -> str:
        """The next reference of the year: RV-YYYY-NNNN (reviews), PC-YYYY-NNNN (changes)."""
        ...

    async def add_review(self, review: Review, *, source_key: str) -> None:
        """Insert a review (sets `review.id`)."""
        ...

    async def review_by_source_key(self, key: str) -> Review | None: ...

    async def review(self, ref: str, *, for_update: bool = False) -> Review | None:
        """A review by ref; `for_update` locks its row on PostgreSQL until the commit."""
        ...

    async def waiting_review(self) -> Review | None:
        """The review waiting for ELT, if any."""
        ...

    async def latest_ratified(self) -> Review | None:
        """The review ratified last, whose date is the policy's next review."""
        ...

    async def decide(self, review: Review) -> bool:
        """Save a decision, only while the stored review still waits: False (and nothing
        written) when another decision got there first."""
        ...

    async def add_change(self, change: Change, *, source_key: str) -> Change:
        """Insert a change; returns it with its id."""
        ...

    async def change_by_source_key(self, key: str) -> Change | None: ...

    async def change(self, ref: str) -> Change | None: ...

    async def latest_change(self) -> Change | None: ...

    async def unacknowledged(self, email: str) -> list[Change]:
        """Changes sent to this person that they have not acknowledged, newest first."""
        ...

    async def acks(self, change_id: int) -> dict[str, datetime]:
        """When each person acknowledged this change, by e-mail."""
        ...

    async def add_ack(self, change_id: int, email: str, at: datetime) -> bool:
        """Record an acknowledgement; False (and nothing written) when it was made before."""
        ...

    async def changes_to_nudge(self, week: str) -> list[Change]:
        """Changes whose nudges for `week` are not queued yet, their rows locked for this
        transaction; on PostgreSQL, rows another transaction holds are skipped."""
        ...

    async def mark_nudged(self, change_id: int, week: str) -> None: ...
