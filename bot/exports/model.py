# What an export is: its kinds, the roles that may make each, its filters and its columns.
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.directory import Directory
from bot.errors import NotAllowed


class Kind(StrEnum):
    REPORTS = "reports"
    APPROVALS = "approvals"
    DECLARATIONS = "declarations"
    TRAINING = "training"
    ABUSE = "abuse"


# Who may ask for an export of each kind (any one of these roles, at any site). The rows are
# then only the records that person may see under the flow's own rule.
EXPORT_ROLES: dict[Kind, tuple[str, ...]] = {
    Kind.REPORTS: ("headteacher", "safeguarding_lead", "head_of_comms", "elt", "board"),
    Kind.APPROVALS: ("head_of_comms", "headteacher", "elt"),
    Kind.DECLARATIONS: ("safeguarding_lead",),
    Kind.TRAINING: ("head_of_comms", "headteacher"),
    Kind.ABUSE: ("head_of_comms", "headteacher"),
}

# The columns of each kind, in order. Times are ISO 8601 in UTC, lists are joined with "; ".
COLUMNS: dict[Kind, tuple[str, ...]] = {
    Kind.REPORTS: (
        "ref",
        "site_id",
        "category",
        "status",
        "created_at",
        "happened_on",
        "reporter",
        "seen_as",  # recipient (the whole report) | reporter (its progress only)
        "subject_staff",
        "subject_name",
        "platform",
        "description",
        "safeguarding",
        "restricted",
        "procedure",
        "recipients",
        "acknowledged_by",
        "acknowledged_at",
        "closed_by",
        "closed_at",
        "outcome",
        "outcome_summary",
        "notes",  # how many
    ),
    Kind.APPROVALS: (
        "ref",
        "site_id",
        "account_id",
        "requester",
        "objective",
        "status",
        "created_at",
        "version",
        "signoffs",  # slot:email:decision of the current version
        "decided_at",
        "published_at",
        "published_by",
        "published_url",
    ),
    Kind.DECLARATIONS: (
        "ref",
        "site_id",
        "declarer",
        "pupil_name",
        "relationship",
        "platforms",
        "status",
        "created_at",
        "confirmed_on",
        "confirm_due",
        "leads",
        "acknowledged_by",
        "acknowledged_at",
        "ended_by",
        "ended_at",
        "end_reason",
    ),
    Kind.TRAINING: (
        "email",
        "name",
        "sites",
        "course",
        "completed_on",
        "source",
        "recorded_by",
        "recorded_at",
        "certificate_url",
    ),
    Kind.ABUSE: (
        "ref",
        "site_id",
        "logged_by",
        "logged_at",
        "seen_at",
        "platform",
        "kind",
        "account",
        "author",
        "link",
        "done",
        "status",
        "status_by",
        "status_at",
        "screenshot_link",
        "screenshots",
        "report_ref",
        "note",
    ),
}

Row = dict[str, str]


@dataclass(frozen=True)
class Filters:
    """Which records: at one site (None: every site) and made between two days, inclusive, in
    the Trust's time zone (None: open-ended)."""

    site: str | None = None
    since: date | None = None
    until: date | None = None

    def covers(self, site_id: str | None, day: date) -> bool:
        return (
            (self.site is None or site_id == self.site)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
        )

    def instants(self, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
        """The days as UTC instants: from the first moment of `since` (inclusive) to the first
        moment of the day after `until` (exclusive), both in `zone`."""
        return (
            day_start(self.since, zone) if self.since else None,
            day_start(self.until + timedelta(days=1), zone) if self.until else None,
        )

    def describe(self) -> dict[str, str | None]:
        """For the audit trail."""
        return {
            "site": self.site,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
        }


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant of `day` in `zone`, in UTC (midnight, or the first moment after a
    clock change that skips it)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def check_may_export(directory: Directory, kind: Kind, email: str) -> None:
    """Refuse, in plain words, someone who holds no role that may export this kind."""
    if not any(directory.holds(email, role) for role in EXPORT_ROLES[kind]):
        roles = ", ".join(r.replace("_", " ") for r in EXPORT_ROLES[kind])
        raise NotAllowed(
            f"{email} holds no role that may export {kind.value} (it takes one of: {roles})."
        )
