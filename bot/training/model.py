# Training records and the rules of rule T1: who is due, when a nudge may go, refresher campaigns.
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.directory import Directory, Site
from bot.working_time import WorkingHours

COURSE = "Social media and online safety"
COURSES = (COURSE,)  # the courses policybot keeps; the first is the default
ESCALATE_AFTER = 3  # nudges before the Headteacher (ELT for the hub) hears of it
TRUST = "trust"  # a campaign's scope when it is for every site


class Source(StrEnum):
    """Where a completion came from."""

    CHAT = "chat"  # recorded by the person in chat
    IMPORT = "import"  # from the training platform's export
    ADMIN = "admin"  # confirmed by the Head of Comms for someone


SOURCE_LABELS = {
    Source.CHAT: "recorded by you",
    Source.IMPORT: "from the training platform",
    Source.ADMIN: "confirmed by the Head of Communications",
}


class State(StrEnum):
    CURRENT = "current"  # trained, and still valid
    EXPIRED = "expired"  # trained, longer ago than the policy allows
    REFRESH = "refresh"  # trained, but a refresher campaign asks for it again
    NEVER = "never"  # no record at all


@dataclass(frozen=True)
class Completion:
    """One completed course: who, which course, the day, and where the record came from."""

    email: str
    completed_on: date
    source: Source
    recorded_by: str
    recorded_at: datetime
    course: str = COURSE
    certificate_url: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Campaign:
    """A refresher after an incident or a change (policy section 11): everyone at `site_id`
    (or every site, when it is TRUST) completes the course again by `deadline`."""

    ref: str
    site_id: str
    starts_on: date
    deadline: date
    started_by: str
    started_at: datetime
    reason: str | None = None
    id: int | None = None

    def covers(self, site_ids: set[str]) -> bool:
        """Whether someone at these sites is asked to train again."""
        return self.site_id == TRUST or self.site_id in site_ids

    def running(self, today: date) -> bool:
        return self.starts_on <= today <= self.deadline


@dataclass
class NudgeState:
    """How often a person has been nudged while due, and when last."""

    email: str
    nudges: int = 0
    last_nudged_on: date | None = None


@dataclass(frozen=True)
class TrainingStatus:
    """Where a person stands: `last` is their latest completion (even one a campaign set
    aside), `valid_until` when it stops counting, `campaign` the refresher that applies."""

    state: State
    last: date | None = None
    valid_until: date | None = None
    campaign: Campaign | None = None

    @property
    def due(self) -> bool:
        return self.state is not State.CURRENT


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def assess(
    last: date | None, campaign: Campaign | None, *, today: date, valid_months: int
) -> TrainingStatus:
    """The due rule: never trained, trained more than `valid_months` ago, or trained before
    the latest refresher campaign that covers the person (until they complete again)."""
    if last is not None and (campaign is None or last >= campaign.starts_on):
        valid_until = add_months(last, valid_months)
        state = State.CURRENT if today < valid_until else State.EXPIRED
        return TrainingStatus(state, last, valid_until)
    if campaign is not None:
        return TrainingStatus(State.REFRESH, last, None, campaign)
    return TrainingStatus(State.NEVER)


def campaign_for(campaigns: list[Campaign], site_ids: set[str], today: date) -> Campaign | None:
    """The latest campaign started by `today` that covers someone at these sites."""
    started = [c for c in campaigns if c.starts_on <= today and c.covers(site_ids)]
    return max(started, key=lambda c: (c.starts_on, c.started_at), default=None)


def in_scope(directory: Directory) -> dict[str, set[str]]:
    """Everyone who is trained and nudged: the people of every site (staff and site roles),
    each with the ids of their sites. Trust roles held by no site member are not in scope."""
    scope: dict[str, set[str]] = {}
    for site in directory.sites:
        for email in site.members:
            scope.setdefault(email, set()).add(site.id)
    return scope


def escalation_to(directory: Directory, site: Site) -> tuple[str, ...]:
    """Who hears of a site's overdue staff: its Headteachers; the ELT for the Support Hub."""
    return site.headteacher if site.kind == "school" else directory.holders("elt")


def may_nudge(moment: datetime, hours: WorkingHours, directory: Directory) -> bool:
    """Nudges go on working days, in working hours, and never in school holidays."""
    return hours.is_working(moment) and directory.in_term(moment.astimezone(hours.zone).date())


def week_of(day: date) -> str:
    """The ISO week of a day, as in outbox keys: 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def nudged_this_week(state: NudgeState | None, today: date) -> bool:
    last = state.last_nudged_on if state else None
    return last is not None and last >= monday_of(today)


def course_named(text: str) -> str | None:
    """The course a name means (any case and spacing), or None when policybot doesn't keep it."""
    wanted = " ".join(text.lower().replace("&", "and").split())
    return next((c for c in COURSES if c.lower() == wanted), None)
