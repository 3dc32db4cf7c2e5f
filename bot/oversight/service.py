# Oversight use cases: the figures a Headteacher, ELT or the Head of Comms may see, on demand
# (`/policybot summary`) and as a weekly digest with the change since last week.
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.directory import Directory
from bot.errors import NotAllowed
from bot.outbox import OutboxItem
from bot.oversight import messages
from bot.oversight.model import (
    ACKED,
    APPROVALS,
    DECLARATIONS,
    DUE,
    NOT_ACKED,
    TRAINED,
    TRUST,
    Figures,
    changes,
    report_counts,
)
from bot.oversight.ports import ReportCount
from bot.policy.model import site_acks
from bot.ports import UnitOfWork
from bot.training.campaigns import site_register
from bot.training.model import week_of
from bot.training.service import TrainingDeps

log = logging.getLogger(__name__)
REPORT_WINDOW = timedelta(days=365)  # reports counted: those received in the last year
REFUSAL = (
    "The summary is for Headteachers, ELT and the Head of Communications. Your own records "
    "are in App Home."
)


@dataclass(frozen=True)
class Digest:
    """One scope's figures for one viewer, and what changed since their last weekly digest
    (`before` is None when there was none)."""

    viewer: str
    figures: Figures
    before: Mapping[str, int] | None

    @property
    def changed(self) -> dict[str, int]:
        return changes(self.figures.counts, self.before)


@dataclass(frozen=True)
class Sources:
    """Everything the figures are counted from, read in one transaction."""

    reports: list[ReportCount]
    posts: dict[str, int]
    declarations: dict[str, int]
    trained: dict[str, tuple[int, int]]  # site -> (in date, due)
    acks: dict[str, tuple[int, int]]  # site -> (acknowledged, not) of the latest policy change
    change: str | None = None  # the latest policy change's ref


def scopes_of(directory: Directory, email: str) -> list[str]:
    """What a person oversees: the schools they are Headteacher of, and the whole Trust for
    ELT and the Head of Communications."""
    scopes = [s.id for s in directory.sites if email in s.headteacher]
    if directory.holds(email, "elt") or directory.holds(email, "head_of_comms"):
        scopes.append(TRUST)
    return scopes


async def read_sources(uow: UnitOfWork, deps: TrainingDeps) -> Sources:
    """Counts from every flow (inside the caller's transaction)."""
    since = deps.clock.now() - REPORT_WINDOW
    reports = await uow.oversight.report_counts(since)
    posts = await uow.oversight.posts_waiting()
    declarations = await uow.oversight.declarations_waiting()
    latest = await uow.training.latest_days()
    campaigns = await uow.training.campaigns()
    trained = {
        site.site_id: (len(site.done), len(site.not_done))
        for site in site_register(deps, latest, campaigns)
    }
    change = await uow.policy.latest_change()
    acks: dict[str, tuple[int, int]] = {}
    if change is not None and change.id is not None:
        acked = set(await uow.policy.acks(change.id))
        every_site = [site.id for site in deps.directory.sites]
        for site in site_acks(deps.directory, change, acked, every_site):
            acks[site.site_id] = (len(site.acked), len(site.waiting))
    ref = change.ref if change is not None else None
    return Sources(reports, posts, declarations, trained, acks, ref)


def figures_for(directory: Directory, sources: Sources, scope: str, viewer: str) -> Figures:
    """The figures of a site, or of the Trust with each site's, as `viewer` may see them."""
    if scope != TRUST:
        return _site_figures(sources, scope, viewer)
    sites = tuple(_site_figures(sources, s.id, viewer) for s in directory.sites)
    counts: dict[str, int] = {}
    for site in sites:
        for key, value in site.counts.items():
            counts[key] = counts.get(key, 0) + value
    counts[APPROVALS] = counts.get(APPROVALS, 0) + sources.posts.get(TRUST, 0)
    return Figures(TRUST, counts, sites, change=sources.change)


def _site_figures(sources: Sources, site_id: str, viewer: str) -> Figures:
    counts = report_counts(sources.reports, {site_id}, viewer)
    counts[APPROVALS] = sources.posts.get(site_id, 0)
    counts[DECLARATIONS] = sources.declarations.get(site_id, 0)
    counts[TRAINED], counts[DUE] = sources.trained.get(site_id, (0, 0))
    if sources.change:
        counts[ACKED], counts[NOT_ACKED] = sources.acks.get(site_id, (0, 0))
    return Figures(site_id, counts, change=sources.change)


async def summary(uow: UnitOfWork, deps: TrainingDeps, *, by: str) -> list[Digest]:
    """The figures `by` oversees now, beside their latest weekly digest (this week's, once
    it has gone)."""
    week = week_of(deps.today() + timedelta(days=7))  # every digest up to this week's
    scopes = scopes_of(deps.directory, by)
    if not scopes:
        raise NotAllowed(REFUSAL)
    async with uow:
        sources = await read_sources(uow, deps)
        return [
            Digest(
                by,
                figures_for(deps.directory, sources, scope, by),
                await uow.oversight.snapshot_before(by, scope, week),
            )
            for scope in scopes
        ]


async def send_digests(uow: UnitOfWork, deps: TrainingDeps, *, week: str) -> int:
    """The weekly digests: one per Headteacher and school, one Trust-wide to each member of
    ELT and the Head of Comms. Each is queued once per week (its key) and its figures kept for
    next week's changes. Returns how many were queued."""
    directory, now = deps.directory, deps.clock.now()
    viewers = sorted(
        {e for s in directory.sites for e in s.headteacher}
        | set(directory.holders("elt"))
        | set(directory.holders("head_of_comms"))
    )
    queued = 0
    async with uow:
        sources = await read_sources(uow, deps)
        for viewer in viewers:
            for scope in scopes_of(directory, viewer):
                figures = figures_for(directory, sources, scope, viewer)
                before = await uow.oversight.snapshot_before(viewer, scope, week)
                digest = Digest(viewer, figures, before)
                message = messages.digest_message(directory, digest, week=monday(week))
                key = f"oversight:digest:{week}:{scope}:{viewer}"
                if await uow.outbox.add(OutboxItem(key, viewer, message)):
                    queued += 1
                await uow.oversight.save_snapshot(viewer, scope, week, figures.counts, now)
        await uow.commit()
    if queued:
        log.info("oversight: %d weekly digest(s) queued for %s", queued, week)
    return queued


def monday(week: str) -> date:
    """The first day of an ISO week key (`2026-W48`, as week_of and the scheduler write it)."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)
