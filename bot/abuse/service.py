# Abuse log use cases: log an entry (from the form or from a misuse report), change its status,
# the log as each person may see it, and the nudge to escalate what the platform ignores.
# The Head of Comms sees everything; a Headteacher their school's entries; anyone their own.
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.abuse import messages, screenshots
from bot.abuse.forms import abuse_form, parse_entry
from bot.abuse.model import TRUST, AbuseEntry, Done, Kind, Status
from bot.audit import audit_change
from bot.clock import Clock
from bot.directory import Directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed, NotFound
from bot.files import FileFetcher, Upload
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork
from bot.reports.model import MisuseReport
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)
NOT_VISIBLE = "That abuse log entry is not one you can see."


@dataclass(frozen=True)
class AbuseDeps:
    """What the abuse log needs besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours
    escalate_days: int = 7

    def today(self) -> date:
        return self.clock.now().astimezone(self.hours.zone).date()


@dataclass(frozen=True)
class Logged:
    entry: AbuseEntry
    created: bool


def keepers(directory: Directory, site_id: str) -> tuple[str, ...]:
    """Who keeps an entry (gets its card, changes its status): the Head of Comms, and the
    school's Headteacher when it is about a school."""
    heads = directory.holders("headteacher", site_id) if site_id != TRUST else ()
    return tuple(dict.fromkeys((*directory.holders("head_of_comms"), *heads)))


def may_act(directory: Directory, entry: AbuseEntry, email: str) -> bool:
    return email in keepers(directory, entry.site_id)


def may_see(directory: Directory, entry: AbuseEntry, email: str) -> bool:
    return email == entry.logged_by or may_act(directory, entry, email)


def sites_to_see(directory: Directory, email: str) -> list[str] | None:
    """The sites whose entries the person keeps (None: every site, the Head of Comms), their
    own entries aside; narrows a query, `may_see` decides."""
    if directory.holds(email, "head_of_comms"):
        return None
    return [s.id for s in directory.sites if s.id != TRUST and email in keepers(directory, s.id)]


async def submit(
    uow: UnitOfWork,
    deps: AbuseDeps,
    *,
    by: str,
    values: Mapping[str, object],
    source_key: str,
) -> Logged:
    """Record an entry (the bot's own time of capture) and queue its cards, in one transaction.
    The same `source_key` (a resubmitted form) returns the first entry and changes nothing."""
    directory, now = deps.directory, deps.clock.now()
    data = parse_entry(abuse_form(directory, by), values, now)
    if data.site_id != TRUST and directory.site(data.site_id) is None:
        raise FormInvalid({"site": "Please choose one of the Trust's schools, or the Trust."})
    async with uow:
        existing = await uow.abuse.by_source_key(source_key)
        if existing is not None:
            return Logged(existing, created=False)
        reported = Done.REPORTED in data.done
        entry = AbuseEntry(
            ref=await uow.abuse.next_ref(now.year),
            logged_by=by,
            site_id=data.site_id,
            platform=data.platform,
            link=data.link,
            account=data.account,
            author=data.author,
            seen_at=data.seen_at,
            kind=data.kind,
            logged_at=now,
            done=data.done,
            screenshot_url=data.screenshot_url,
            note=data.note,
            status=Status.REPORTED if reported else Status.OPEN,
            status_by=by if reported else None,
            status_at=now if reported else None,
        )
        await _record(uow, deps, entry, source_key, data.uploads)
        await uow.commit()
    log.info("abuse log %s recorded (site=%s)", entry.ref, entry.site_id)
    return Logged(entry, created=True)


async def log_report(uow: UnitOfWork, deps: AbuseDeps, report: MisuseReport) -> AbuseEntry | None:
    """Inside the report's own transaction: log a misuse report of an abusive comment, once
    (keyed by its reference). Restricted (safeguarding) reports stay out of the log."""
    if report.restricted:
        return None
    key = f"report:{report.ref}"
    if await uow.abuse.by_source_key(key) is not None:
        return None
    now = deps.clock.now()
    site_id = report.site_id if deps.directory.holders("headteacher", report.site_id) else TRUST
    entry = AbuseEntry(
        ref=await uow.abuse.next_ref(now.year),
        logged_by=report.reporter,
        site_id=site_id,
        platform=report.platform or "Other",
        link=report.links,
        account=None,
        author=None,
        seen_at=_start_of(report, deps),
        kind=Kind.OTHER,
        logged_at=now,
        note=report.description,
        report_ref=report.ref,
    )
    await _record(uow, deps, entry, key)
    return entry


async def set_status(
    uow: UnitOfWork, deps: AbuseDeps, *, ref: str, by: str, status: Status
) -> AbuseEntry:
    """Move an entry to `status` (the Head of Comms, or the school's Headteacher); asking for
    the status it already has changes nothing and says so."""
    async with uow:
        entry = await _visible(uow, deps, ref, by)
        if not may_act(deps.directory, entry, by):
            raise NotAllowed(
                "Only the Head of Communications or the school's Headteacher can "
                "change an entry's status."
            )
        if entry.status is status:
            who = deps.directory.display_name(entry.status_by or entry.logged_by)
            raise AlreadyDone(
                f"{ref} is already {messages.STATUS_LABELS[status].lower()} (by {who})."
            )
        before = entry.state()
        entry.status, entry.status_by, entry.status_at = status, by, deps.clock.now()
        entry.revision += 1
        await uow.abuse.save(entry)
        await audit_change(
            uow.audit, deps.clock.now(), by, f"abuse.{status.value}", entry, before=before
        )
        await _cards(uow, deps, entry)
        await uow.commit()
    return entry


async def visible_to(
    uow: UnitOfWork, deps: AbuseDeps, *, email: str
) -> tuple[str, list[AbuseEntry]]:
    """The entries this person may see, newest first, and how far that reaches in words."""
    directory = deps.directory
    async with uow:
        if directory.holds(email, "head_of_comms"):
            return "the whole log", await uow.abuse.every()
        schools = [s.id for s in directory.sites if email in s.headteacher]
        found = await uow.abuse.at_sites(schools) if schools else []
        seen = {e.ref for e in found}
        found += [e for e in await uow.abuse.logged_by(email) if e.ref not in seen]
    found.sort(key=lambda e: e.logged_at, reverse=True)
    scope = "your school's entries and your own" if schools else "the entries you logged"
    return scope, [e for e in found if may_see(directory, e, email)]


async def check_may_see(uow: UnitOfWork, deps: AbuseDeps, *, ref: str, email: str) -> AbuseEntry:
    async with uow:
        return await _visible(uow, deps, ref, email, for_update=False)


async def send_escalation_nudges(uow: UnitOfWork, deps: AbuseDeps) -> int:
    """In working hours: tell the Head of Comms of each entry reported to a platform
    `escalate_days` ago and still there, once per entry (keyed, and marked as nudged)."""
    now = deps.clock.now()
    if not deps.hours.is_working(now):
        return 0
    nudged = 0
    async with uow:
        for entry in await uow.abuse.due_for_escalation(now - timedelta(days=deps.escalate_days)):
            before = entry.state()
            message = messages.escalate_nudge(
                entry, deps.directory, deps.hours.zone, deps.escalate_days
            )
            for email in deps.directory.holders("head_of_comms"):
                await uow.outbox.add(
                    OutboxItem(f"abuse:{entry.ref}:escalate:{email}", email, message)
                )
            entry.nudged_at = now
            await uow.abuse.save(entry)
            await audit_change(
                uow.audit, now, "system", "abuse.escalation_nudged", entry, before=before
            )
            nudged += 1
        await uow.commit()
    if nudged:
        log.info("%d abuse log escalation nudge(s) queued", nudged)
    return nudged


async def _record(
    uow: UnitOfWork,
    deps: AbuseDeps,
    entry: AbuseEntry,
    source_key: str,
    uploads: Sequence[Upload] = (),
) -> None:
    await uow.abuse.add(entry, source_key=source_key)
    await screenshots.add_uploads(
        uow, entry, uploads, by=entry.logged_by, at=entry.logged_at, source_key=source_key
    )
    await audit_change(
        uow.audit,
        deps.clock.now(),
        entry.logged_by,
        "abuse.logged",
        entry,
        before=None,
        detail={"report_ref": entry.report_ref},
    )
    await _cards(uow, deps, entry)


async def _visible(
    uow: UnitOfWork, deps: AbuseDeps, ref: str, email: str, *, for_update: bool = True
) -> AbuseEntry:
    entry = await uow.abuse.get(ref, for_update=for_update)
    if entry is None:
        raise NotFound(f"There is no abuse log entry {ref}.")
    if not may_see(deps.directory, entry, email):
        log.warning("abuse log %s refused to a person who may not see it", ref)
        raise NotAllowed(NOT_VISIBLE)
    return entry


async def attach_screenshots(
    uow: UnitOfWork,
    deps: AbuseDeps,
    *,
    by: str,
    text: str,
    uploads: Sequence[Upload],
    source_key: str,
) -> tuple[AbuseEntry, int]:
    """Screenshots sent in chat after the entry was logged (see screenshots.attach)."""
    return await screenshots.attach(
        uow,
        by=by,
        text=text,
        uploads=uploads,
        source_key=source_key,
        cards=lambda u, e: _cards(u, deps, e),
        may_act=lambda e, email: may_act(deps.directory, e, email),
        now=deps.clock.now(),
    )


async def keep_screenshots(
    uow_of: Callable[[], UnitOfWork], deps: AbuseDeps, fetchers: Mapping[str, FileFetcher]
) -> int:
    """Fetch and fingerprint the screenshots whose turn it is (see screenshots.keep_waiting)."""
    return await screenshots.keep_waiting(
        uow_of, fetchers, now=deps.clock.now, cards=lambda u, e: _cards(u, deps, e)
    )


async def _cards(uow: UnitOfWork, deps: AbuseDeps, entry: AbuseEntry) -> None:
    shots = (await uow.abuse.screenshots_of([entry.ref]))[entry.ref]
    message = messages.entry_card(entry, deps.directory, deps.hours.zone, shots)
    for email in keepers(deps.directory, entry.site_id):
        thread = messages.card_thread(entry.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, entry.revision, email, message))


def _start_of(report: MisuseReport, deps: AbuseDeps) -> datetime:
    """A report gives only the day it happened: its start in the Trust's time zone (or the
    report's own time, when that is earlier)."""
    start = datetime.combine(report.happened_on, time(0), deps.hours.zone)
    return min(start.astimezone(UTC), report.created_at)
