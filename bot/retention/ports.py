# Ports of retention: what the store must do to remove records past their retention.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class PrunedAudit:
    """What retention removed from the audit trail: the events up to `anchor_id`, whose last
    hash (`anchor_hash`) the first kept event still points to."""

    count: int
    anchor_id: int
    anchor_hash: str


class RetentionStore(Protocol):
    async def redact_reports(
        self, *, closed_before: datetime, safeguarding_closed_before: datetime, at: datetime
    ) -> int:
        """Strip closed reports' text and notes, keeping a tombstone; returns how many."""
        ...

    async def delete_posts(self, *, due_before: datetime) -> int: ...
    async def delete_declarations(self, *, ended_before: datetime) -> int: ...
    async def delete_training(self, *, completed_before: date) -> int: ...
    async def prune_abuse_log(self, *, before: datetime) -> int:
        """Hook for the abuse log (being built): remove its entries logged before `before`."""
        ...

    async def prune_audit(self, *, before: datetime) -> PrunedAudit: ...

    # A dry run: how many records each removal above would touch now, by the same criteria,
    # writing nothing and taking no lock.
    async def count_reports(
        self, *, closed_before: datetime, safeguarding_closed_before: datetime
    ) -> int: ...
    async def count_posts(self, *, due_before: datetime) -> int: ...
    async def count_declarations(self, *, ended_before: datetime) -> int: ...
    async def count_training(self, *, completed_before: date) -> int: ...
    async def count_abuse_log(self, *, before: datetime) -> int: ...
    async def count_audit(self, *, before: datetime) -> int: ...
