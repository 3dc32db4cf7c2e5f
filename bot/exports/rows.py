# Records as CSV rows, keeping only those the person may see under each flow's own rule.
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo

from bot.abuse.model import AbuseEntry, Screenshot, ShotState
from bot.abuse.service import may_see as may_see_entry
from bot.approvals import Delegation, may_see_request
from bot.declarations.model import Declaration
from bot.declarations.service import may_see as may_see_declaration
from bot.directory import Directory
from bot.exports.model import Filters, Row
from bot.posts.model import PostRequest
from bot.reports.model import MisuseReport
from bot.reports.service import may_view
from bot.training.model import Completion
from bot.training.service import may_see_record


def shot_cell(shot: Screenshot) -> str:
    if shot.state is ShotState.KEPT:
        return f"{shot.name} sha256:{shot.sha256} kept:{text(shot.kept_at)}"
    if shot.state is ShotState.GIVEN:
        return f"sha256:{shot.sha256} (typed)"
    return f"{shot.name} ({shot.state.value})"


def text(value: object) -> str:
    """One cell: empty for nothing, ISO 8601 for times and days, plain strings otherwise."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return "; ".join(text(v) for v in value)
    return str(getattr(value, "value", value))


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def report_rows(
    reports: Iterable[MisuseReport],
    directory: Directory,
    email: str,
    filters: Filters,
    zone: tzinfo,
) -> Iterator[Row | None]:
    """A row per report the person may see in full; for reports they made but may not see,
    only its progress (no description, no pupil's or colleague's name). None for a report left
    out, so a caller can count every record it looked at."""
    for r in reports:
        full = may_view(r, email, directory)
        if not (full or r.reporter == email) or not filters.covers(
            r.site_id, local_day(r.created_at, zone)
        ):
            yield None
            continue
        yield report_row(r, full=full)


def report_row(r: MisuseReport, *, full: bool) -> Row:
    """A report; without `full`, its progress only."""
    return {
        "ref": r.ref,
        "site_id": r.site_id,
        "category": text(r.category),
        "status": text(r.status),
        "created_at": text(r.created_at),
        "happened_on": text(r.happened_on),
        "reporter": r.reporter,
        "seen_as": "recipient" if full else "reporter",
        "subject_staff": text(r.subject_staff) if full else "",
        "subject_name": text(r.subject_name) if full else "",
        "platform": text(r.platform),
        "description": r.description if full else "",
        "safeguarding": text(r.safeguarding),
        "restricted": text(r.restricted),
        "procedure": text(r.procedure),
        "recipients": text([f"{x.role.value}:{x.email}" for x in r.active()]) if full else "",
        "acknowledged_by": text(r.acknowledged_by) if full else "",
        "acknowledged_at": text(r.acknowledged_at),
        "closed_by": text(r.closed_by) if full else "",
        "closed_at": text(r.closed_at),
        "outcome": text(r.outcome),
        "outcome_summary": text(r.outcome_summary) if full else "",
        "notes": str(len(r.notes)) if full else "",
    }


def approval_rows(
    posts: Iterable[PostRequest],
    directory: Directory,
    email: str,
    filters: Filters,
    zone: tzinfo,
    delegations: Sequence[Delegation] = (),
    today: date | None = None,
) -> Iterator[Row | None]:
    """A row per request the person may see, a delegate's included (delegations in force
    `today`, read once for the whole export); None for a request left out."""
    for p in posts:
        if not may_see_request(
            directory,
            site_id=p.site_id,
            requester=p.requester,
            email=email,
            delegations=delegations,
            today=today,
            waited_until=p.waited_until,
        ) or not filters.covers(p.site_id, local_day(p.created_at, zone)):
            yield None
            continue
        yield approval_row(p)


def approval_row(p: PostRequest) -> Row:
    return {
        "ref": p.ref,
        "site_id": p.site_id,
        "account_id": p.account_id,
        "requester": p.requester,
        "objective": text(p.objective),
        "status": text(p.status),
        "created_at": text(p.created_at),
        "version": str(p.version),
        "signoffs": text([f"{s.slot.value}:{s.email}:{s.decision.value}" for s in p.signoffs_of()]),
        "decided_at": text(p.decided_at),
        "published_at": text(p.published_at),
        "published_by": text(p.published_by),
        "published_url": text(p.published_url),
    }


def declaration_rows(
    declarations: Iterable[Declaration],
    directory: Directory,
    email: str,
    filters: Filters,
    zone: tzinfo,
) -> Iterator[Row | None]:
    for d in declarations:
        if not may_see_declaration(directory, d, email) or not filters.covers(
            d.site_id, local_day(d.created_at, zone)
        ):
            yield None
            continue
        yield declaration_row(d)


def declaration_row(d: Declaration) -> Row:
    return {
        "ref": d.ref,
        "site_id": d.site_id,
        "declarer": d.declarer,
        "pupil_name": d.pupil_name,
        "relationship": text(d.relationship),
        "platforms": text(d.platforms),
        "status": text(d.status),
        "created_at": text(d.created_at),
        "confirmed_on": text(d.confirmed_on),
        "confirm_due": text(d.confirm_due),
        "leads": text(d.leads),
        "acknowledged_by": text(d.acknowledged_by),
        "acknowledged_at": text(d.acknowledged_at),
        "ended_by": text(d.ended_by),
        "ended_at": text(d.ended_at),
        "end_reason": text(d.end_reason),
    }


def training_rows(
    completions: Iterable[Completion], directory: Directory, email: str, filters: Filters
) -> Iterator[Row | None]:
    """A row per completion of someone whose training the person may see; with a site filter,
    of people at that site (a person may belong to several)."""
    for c in completions:
        sites = [s.id for s in directory.sites_of(c.email)]
        at = filters.site if filters.site in sites else (sites[0] if sites else None)
        if not may_see_record(directory, email, c.email) or not filters.covers(at, c.completed_on):
            yield None
            continue
        yield training_row(c, directory)


def training_row(c: Completion, directory: Directory) -> Row:
    person = directory.person(c.email)
    return {
        "email": c.email,
        "name": person.name if person else "",
        "sites": text([s.id for s in directory.sites_of(c.email)]),
        "course": c.course,
        "completed_on": text(c.completed_on),
        "source": text(c.source),
        "recorded_by": c.recorded_by,
        "recorded_at": text(c.recorded_at),
        "certificate_url": text(c.certificate_url),
    }


def abuse_rows(
    entries: Iterable[AbuseEntry],
    directory: Directory,
    email: str,
    filters: Filters,
    zone: tzinfo,
    shots: Mapping[str, Sequence[Screenshot]],
) -> Iterator[Row | None]:
    for e in entries:
        if not may_see_entry(directory, e, email) or not filters.covers(
            e.site_id, local_day(e.logged_at, zone)
        ):
            yield None
            continue
        yield abuse_row(e, shots.get(e.ref, ()))


def abuse_row(e: AbuseEntry, shots: Sequence[Screenshot] = ()) -> Row:
    """An entry; with its screenshots' fingerprints: `name sha256 kept_at`, or their state."""
    return {
        "ref": e.ref,
        "site_id": e.site_id,
        "logged_by": e.logged_by,
        "logged_at": text(e.logged_at),
        "seen_at": text(e.seen_at),
        "platform": e.platform,
        "kind": text(e.kind),
        "account": text(e.account),
        "author": text(e.author),
        "link": text(e.link),
        "done": text(e.done),
        "status": text(e.status),
        "status_by": text(e.status_by),
        "status_at": text(e.status_at),
        "screenshot_link": text(e.screenshot_url),
        "screenshots": text([shot_cell(s) for s in shots]),
        "report_ref": text(e.report_ref),
        "note": text(e.note),
    }
