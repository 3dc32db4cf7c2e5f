# The export use case: load one kind of record, keep the rows the person may see, audit it.
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import Protocol

from bot.audit import record
from bot.clock import Clock
from bot.directory import Directory
from bot.exports import rows
from bot.exports.model import COLUMNS, Filters, Kind, Row, check_may_export
from bot.ports import UnitOfWork

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
    async with uow:
        records = await _load(uow, directory, kind)
        if progress:
            progress.start(len(records))
        found = [
            row
            for row in _counted(_rows(kind, records, deps, as_email, filters), progress)
            if row is not None
        ]
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


async def _load(uow: UnitOfWork, directory: Directory, kind: Kind) -> list:  # type: ignore[type-arg]
    if kind is Kind.REPORTS:
        return await uow.reports.every()
    if kind is Kind.APPROVALS:
        return await uow.posts.every()
    if kind is Kind.DECLARATIONS:
        sites = [s.id for s in directory.sites]
        return await uow.declarations.at_sites(sites, include_ended=True)
    if kind is Kind.TRAINING:
        return await uow.training.completions()
    return await uow.abuse.every()


def _rows(
    kind: Kind,
    records: list,
    deps: ExportDeps,
    email: str,
    filters: Filters,  # type: ignore[type-arg]
) -> Iterator[Row | None]:
    directory, zone = deps.directory, deps.zone
    if kind is Kind.REPORTS:
        return rows.report_rows(records, directory, email, filters, zone)
    if kind is Kind.APPROVALS:
        return rows.approval_rows(records, directory, email, filters, zone)
    if kind is Kind.DECLARATIONS:
        return rows.declaration_rows(records, directory, email, filters, zone)
    if kind is Kind.TRAINING:
        return rows.training_rows(records, directory, email, filters)
    return rows.abuse_rows(records, directory, email, filters, zone)


def _counted(found: Iterable[Row | None], progress: Progress | None) -> Iterator[Row | None]:
    for row in found:
        if progress:
            progress.advance(1)
        yield row
