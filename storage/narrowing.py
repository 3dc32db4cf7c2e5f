# One query narrowing shared by the stores' exports: by site, by what a person may see (sites
# their roles reach, or their own records), and by a half-open time range.
from __future__ import annotations

from typing import Any

from sqlmodel import col

from bot.narrowing import Narrowing


def narrowed(query: Any, narrowing: Narrowing, *, site: Any, owner: Any, moment: Any) -> Any:
    """`query` kept to rows whose `site` column is in `narrowing.sites` (None: any); that are at
    its `visible` sites (None: any) or whose `owner` column is its `own`; and whose `moment`
    column is in [since, until) (None: open-ended)."""
    if narrowing.sites is not None:
        query = query.where(col(site).in_(list(narrowing.sites)))
    if narrowing.visible is not None:
        query = query.where(col(site).in_(list(narrowing.visible)) | (col(owner) == narrowing.own))
    if narrowing.since is not None:
        query = query.where(col(moment) >= narrowing.since)
    if narrowing.until is not None:
        query = query.where(col(moment) < narrowing.until)
    return query
