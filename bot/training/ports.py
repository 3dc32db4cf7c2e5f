# What the training flows need from storage: completions, campaigns and nudge counts.
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.training.model import Campaign, Completion, NudgeState


class TrainingStore(Protocol):
    async def add(self, completion: Completion) -> bool:
        """Record a completion; False (and nothing written) when the same person, course and
        day are recorded already."""
        ...

    async def add_many(self, completions: Sequence[Completion]) -> int:
        """Record many (an import) in one statement; returns how many were new."""
        ...

    async def recorded(self, emails: Sequence[str]) -> set[tuple[str, str, date]]:
        """(e-mail, course, day) of every completion these people have on record."""
        ...

    async def latest(self, email: str) -> Completion | None:
        """The person's latest completion of the Trust's course."""
        ...

    async def latest_days(self) -> dict[str, date]:
        """Everyone's latest completion day of the Trust's course, by e-mail (one query)."""
        ...

    async def for_export(
        self, *, emails: Sequence[str] | None, since: date | None, until: date | None
    ) -> list[Completion]:
        """Completions on days since..until (inclusive; None: open-ended) of these people (None:
        anyone's), oldest first (an export)."""
        ...

    async def any_records(self) -> bool:
        """Whether the register holds anything (a completion or a campaign)."""
        ...

    async def next_ref(self, year: int) -> str:
        """The next campaign reference, TC-YYYY-NNNN."""
        ...

    async def add_campaign(self, campaign: Campaign, *, source_key: str) -> Campaign:
        """Insert a campaign; returns it with its id."""
        ...

    async def campaign_by_source_key(self, key: str) -> Campaign | None: ...

    async def campaigns(self) -> list[Campaign]:
        """Every campaign, newest first."""
        ...

    async def states(self, emails: Sequence[str]) -> dict[str, NudgeState]:
        """The nudge counts of these people (those never nudged are absent)."""
        ...

    async def to_nudge(self, emails: Sequence[str], week_start: date) -> list[NudgeState]:
        """Of these (due) people, those not nudged since `week_start`, their rows locked for
        this transaction; on PostgreSQL, rows another transaction holds are skipped."""
        ...

    async def save_states(self, states: Sequence[NudgeState]) -> None: ...

    async def reset_nudges(self, emails: Sequence[str]) -> None:
        """Back to no nudges, for people who are trained again."""
        ...
