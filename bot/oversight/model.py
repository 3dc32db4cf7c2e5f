# The oversight figures: named counts for one scope (a site or the whole Trust), as one viewer
# may see them, and their change since last week.
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.oversight.ports import ReportCount

TRUST = "trust"
APPROVALS = "approvals_waiting"
DECLARATIONS = "declarations_waiting"
TRAINED, DUE = "training_in_date", "training_due"
ACKED, NOT_ACKED = "policy_acknowledged", "policy_not_acknowledged"


def report_key(category: str, status: str) -> str:
    return f"reports:{category}:{status}"


@dataclass(frozen=True)
class Figures:
    """The counts of one scope, and (`sites`, for the Trust) of each site in it."""

    scope: str
    counts: Mapping[str, int]
    sites: tuple[Figures, ...] = field(default=())
    change: str | None = None  # the latest policy change, whose acknowledgements are counted

    def get(self, key: str) -> int:
        return self.counts.get(key, 0)


def report_counts(rows: Iterable[ReportCount], site_ids: set[str], viewer: str) -> dict[str, int]:
    """Reports of these sites by category and state, leaving out any about the viewer: a
    report about a member of staff is never shown to them, not even as a number."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.site_id in site_ids and row.subject != viewer:
            key = report_key(row.category, row.status)
            counts[key] = counts.get(key, 0) + row.count
    return counts


def changes(now: Mapping[str, int], before: Mapping[str, int] | None) -> dict[str, int]:
    """What changed since `before`, by key (nothing when there is no earlier digest)."""
    if before is None:
        return {}
    keys = set(now) | set(before)
    return {k: now.get(k, 0) - before.get(k, 0) for k in keys if now.get(k, 0) != before.get(k, 0)}
