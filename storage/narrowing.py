# One query narrowing shared by the stores' exports: by site, by what a person may see (sites
# their roles reach, or their own records), and by a half-open time range.
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col


def narrowed(
    query: Any,
    *,
    site: Any,
    owner: Any,
    moment: Any,
    sites: Sequence[str] | None,
    visible: Sequence[str] | None,
    own: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Any:
    """`query` kept to rows whose `site` column is in `sites` (None: any); that are at `visible`
    sites (None: any) or whose `owner` column is `own`; and whose `moment` column is in
    [since, until) (None: open-ended)."""
    if sites is not None:
        query = query.where(col(site).in_(list(sites)))
    if visible is not None:
        query = query.where(col(site).in_(list(visible)) | (col(owner) == own))
    if since is not None:
        query = query.where(col(moment) >= since)
    if until is not None:
        query = query.where(col(moment) < until)
    return query
