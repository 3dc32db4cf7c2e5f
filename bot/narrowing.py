# What an export asks a store for: the sites, what one person may see, and a time range, so that
# the database keeps only those rows (the export's rows then decide, field by field).
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Narrowing:
    """Records at `sites` (None: any); at `visible` sites (None: any) or belonging to `own`
    (made or logged by that person); made in [since, until) (None: open-ended)."""

    sites: Sequence[str] | None = None
    visible: Sequence[str] | None = None
    own: str | None = None
    since: datetime | None = None
    until: datetime | None = None
