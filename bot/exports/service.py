# The export use case: load one kind of record, keep the rows the person may see, audit it.
from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Protocol

from bot.abuse import service as abuse
from bot.abuse.model import Screenshot
from bot.approvals import Delegation, sites_to_see
from bot.audit import record
from bot.clock import Clock
from bot.declarations import service as declarations
from bot.directory import Directory
from bot.exports import rows
from bot.exports.model import COLUMNS, Filters, Kind, Row, check_may_export
from bot.exports.rows import local_day
from bot.narrowing import Narrowing
from bot.ports import UnitOfWork
from bot.training import service as training

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Told how many records there are, then as each one is looked at."""

    def start(self, total: int) -> None: ...
    def advance(self, count: int) -> None: ...


@dataclass(frozen=True)
class ExportDeps:
    directory: Directory
    clock: Clock
    zone: tzinfo  # the Trust's: days in the filters are its days


@dataclass(frozen=True)
class Export:
    kind: str  # a Kind's value, or the name of a subject access file
    columns: tuple[str, ...]
    rows: list[Row]


async def export_rows(
    uow: UnitOfWork,
    deps: ExportDeps,
    *,
    kind: Kind,
    as_email: str,
    filters: Filters,
    actor: str,
    progress: Progress | None = None,
) -> Export:
    """The rows of `kind` that `as_email` may see, filtered, with the export on the audit trail
    (kind, on whose behalf, filters and count; never a row). NotAllowed when the person holds
    no role that may export this kind."""
    directory = deps.directory
    as_email = as_email.strip().lower()
    check_may_export(directory, kind, as_email)
    today = local_day(deps.clock.now(), deps.zone)
    async with uow:
        # Delegations are read once: a delegate sees the requests they could sign.
        delegations = await uow.delegations.active(today) if kind is Kind.APPROVALS else []
        records = await _load(uow, deps, kind, as_email, filters, delegations)
        if progress:
            progress.start(len(records))
        shots = (
            await uow.abuse.screenshots_of([e.ref for e in records]) if kind is Kind.ABUSE else {}
        )
        looked_at = _rows(kind, records, deps, as_email, filters, delegations, shots)
        found = [row for row in _counted(looked_at, progress) if row is not None]
        await record(
            uow.audit,
            deps.clock.now(),
            actor,
            "export.made",
            ("export", kind.value),
            before=None,
            after=None,
            detail={"as": as_email, **filters.describe(), "count": len(found)},
        )
        await uow.commit()
    log.info("export of %s for %s: %d rows", kind.value, as_email, len(found))
    return Export(kind.value, COLUMNS[kind], found)


async def _load(
    uow: UnitOfWork,
    deps: ExportDeps,
    kind: Kind,
    email: str,
    filters: Filters,
    delegations: list[Delegation],
) -> list:  # type: ignore[type-arg]
    """The records of `kind` matching the filters, narrowed in the query to those the person
    might see (their own, or at the sites their roles reach); the rows then decide."""
    directory = deps.directory
    since, until = filters.instants(deps.zone)
    site = [filters.site] if filters.site is not None else None
    if kind is Kind.REPORTS:
        return await uow.reports.for_export(sites=site, seen_by=email, since=since, until=until)
    if kind is Kind.APPROVALS:
        today = local_day(deps.clock.now(), deps.zone)
        visible = sites_to_see(directory, email, delegations, today)
        return await uow.posts.for_export(Narrowing(site, _listed(visible), email, since, until))
    if kind is Kind.DECLARATIONS:
        known = [s.id for s in directory.sites if site is None or s.id in site]
        seen = declarations.sites_to_see(directory, email)
        return await uow.declarations.for_export(Narrowing(known, seen, email, since, until))
    if kind is Kind.TRAINING:
        people = training.people_to_see(directory, email)
        if filters.site is not None:
            found = directory.site(filters.site)
            at_site = set(found.members) if found else set()
            people = at_site if people is None else people & at_site
        return await uow.training.for_export(
            emails=_listed(people), since=filters.since, until=filters.until
        )
    seen = abuse.sites_to_see(directory, email)
    return await uow.abuse.for_export(Narrowing(site, seen, email, since, until))


def _listed(found: Collection[str] | None) -> list[str] | None:
    return sorted(found) if found is not None else None


def _rows(
    kind: Kind,
    records: list,  # type: ignore[type-arg]
    deps: ExportDeps,
    email: str,
    filters: Filters,
    delegations: list[Delegation],
    shots: Mapping[str, Sequence[Screenshot]],
) -> Iterator[Row | None]:
    directory, zone = deps.directory, deps.zone
    if kind is Kind.REPORTS:
        return rows.report_rows(records, directory, email, filters, zone)
    if kind is Kind.APPROVALS:
        today = local_day(deps.clock.now(), zone)
        return rows.approval_rows(records, directory, email, filters, zone, delegations, today)
    if kind is Kind.DECLARATIONS:
        return rows.declaration_rows(records, directory, email, filters, zone)
    if kind is Kind.TRAINING:
        return rows.training_rows(records, directory, email, filters)
    return rows.abuse_rows(records, directory, email, filters, zone, shots)


def _counted(found: Iterable[Row | None], progress: Progress | None) -> Iterator[Row | None]:
    for row in found:
        if progress:
            progress.advance(1)
        yield row
