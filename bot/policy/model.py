# Rule P1 as data and pure rules: reviews and their ratification, the review date and its
# reminders, policy changes and who must acknowledge them, and who may see acknowledgements.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.directory import Directory

REMINDER_DAYS = (60, 30, 7)  # reminders to the Head of Comms, days before the review date
LONGEST_REVIEW_GAP_YEARS = 3  # a ratified review sets the next one at most this far ahead


class ReviewState(StrEnum):
    WAITING = "waiting"  # sent by the Head of Comms, waiting for ELT
    RATIFIED = "ratified"
    RETURNED = "returned"  # sent back by ELT with a reason


@dataclass
class Review:
    """A review of the policy sent to ELT for ratification: the next review date it sets,
    what changed and a link to the reviewed text; who decided, when, and (returned) why.
    `sent_to` are the ELT members whose card carries Ratify and Return."""

    ref: str
    requested_by: str
    requested_at: datetime
    next_review: date
    sent_to: tuple[str, ...]
    summary: str | None = None
    link: str | None = None
    status: ReviewState = ReviewState.WAITING
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    revision: int = 1
    id: int | None = None

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("policy_review", self.ref)

    def state(self) -> dict[str, object]:
        """What the audit trail keeps: ids and flags, never what changed nor the reason."""
        return {
            "state": self.status.value,
            "next_review": self.next_review.isoformat(),
            "summary": self.summary is not None,
            "link": self.link is not None,
            "reason": self.reason is not None,
            "decided_by": self.decided_by,
            "revision": self.revision,
        }


@dataclass(frozen=True)
class Change:
    """A change to the policy announced to `staff` (a snapshot of every member of staff when
    it was announced), each of whom acknowledges it once."""

    ref: str
    summary: str
    link: str
    announced_by: str
    announced_at: datetime
    staff: tuple[str, ...]
    nudged_week: str | None = None  # the last ISO week whose nudges were queued
    id: int | None = None


@dataclass(frozen=True)
class ReviewDate:
    """The policy's next review date and where it comes from: a ratified review's ref, or
    None for the directory file's `policy.next_review`."""

    due: date
    ratified_by_review: str | None = None


def next_review(latest_ratified: Review | None, directory: Directory) -> ReviewDate | None:
    """The latest ratified review's date, else the directory's; None when neither is set."""
    if latest_ratified is not None:
        return ReviewDate(latest_ratified.next_review, latest_ratified.ref)
    if directory.policy.next_review is not None:
        return ReviewDate(directory.policy.next_review)
    return None


def reminder_stage(due: date, today: date) -> str | None:
    """Which reminder is due today: `before-60`, `before-30` or `before-7` from that many days
    before the review date (the nearest stage reached, so a late start sends one, not three),
    `overdue-YYYY-Www` for each ISO week from the day after it, else None."""
    if today > due:
        return f"overdue-{week_of(today)}"
    left = (due - today).days
    reached = [days for days in REMINDER_DAYS if left <= days]
    return f"before-{min(reached)}" if reached else None


def reminder_key(due: date, stage: str, email: str) -> str:
    """The outbox key of one reminder: once per review date, stage and person."""
    return f"policy:review:{due.isoformat()}:{stage}:{email}"


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def suggested_next_review(current: date | None, today: date) -> date:
    """What the review form suggests: a year after the current date, or a year from today."""
    if current is not None and today < add_years(current, 1):
        return add_years(current, 1)
    return add_years(today, 1)


def staff_of(directory: Directory) -> tuple[str, ...]:
    """Every member of staff who is told of a change: everyone at a site (any site role), in
    directory order, each once."""
    return tuple(dict.fromkeys(e for site in directory.sites for e in site.members))


def week_of(day: date) -> str:
    """The ISO week of a day, as in outbox keys: 2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def ack_sites(directory: Directory, email: str) -> list[str] | None:
    """The sites whose acknowledgements this person may see: every site (the Head of Comms,
    ELT), their own schools (a Headteacher), or None (anyone else)."""
    if directory.holds(email, "head_of_comms") or directory.holds(email, "elt"):
        return [site.id for site in directory.sites]
    led = [role.site_id for role in directory.roles_of(email) if role.name == "headteacher"]
    return [site_id for site_id in dict.fromkeys(led) if site_id] or None


@dataclass(frozen=True)
class SiteAcks:
    """Who at one site (of those a change was sent to) has acknowledged it, and who not."""

    site_id: str
    acked: tuple[str, ...]
    waiting: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.acked) + len(self.waiting)


@dataclass(frozen=True)
class AckView:
    change: Change
    sites: tuple[SiteAcks, ...]
    acked_at: dict[str, datetime] = field(default_factory=dict)


def site_acks(
    directory: Directory, change: Change, acked: set[str], site_ids: list[str]
) -> tuple[SiteAcks, ...]:
    """Per site, those the change was sent to who are still at the site: acknowledged or not."""
    sent = set(change.staff)
    found = []
    for site_id in site_ids:
        site = directory.site(site_id)
        if site is None:
            continue
        members = [e for e in site.members if e in sent]
        found.append(
            SiteAcks(
                site_id,
                tuple(e for e in members if e in acked),
                tuple(e for e in members if e not in acked),
            )
        )
    return tuple(found)


def to_nudge(directory: Directory, change: Change, acked: set[str]) -> list[str]:
    """Those the change was sent to who have not acknowledged it and are still staff."""
    now_staff = set(staff_of(directory))
    return [e for e in change.staff if e not in acked and e in now_staff]


def announced_week(change: Change, zone: ZoneInfo) -> str:
    """The ISO week of the announcement: it counts as that week's nudge."""
    return week_of(change.announced_at.astimezone(zone).date())


def nudge_key(ref: str, email: str, week: str) -> str:
    """The outbox key of a weekly nudge: once per change, person and ISO week."""
    return f"policy:change:{ref}:nudge:{email}:{week}"


def change_thread(ref: str, email: str) -> str:
    """The card a member of staff acknowledges a change on (updated in place)."""
    return f"policy-change:{ref}:{email}"


def review_thread(ref: str, email: str) -> str:
    """An ELT member's ratification card (updated in place once decided)."""
    return f"policy-review:{ref}:{email}"


def day_words(day: date) -> str:
    """A date as people read it: 5 March 2027."""
    return f"{day.day} {day:%B %Y}"
