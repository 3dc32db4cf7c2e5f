# The misuse report record, its categories, states and recipients.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Category(StrEnum):
    STAFF_MISUSE = "staff_misuse"
    PUPIL_MISUSE = "pupil_misuse"
    PARENT_MISUSE = "parent_misuse"
    PUPIL_CONTACT = "pupil_contact"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    CYBERBULLYING_PUPIL = "cyberbullying_pupil"
    ALLEGATION_STAFF = "allegation_staff"
    ABUSIVE_COMMENT = "abusive_comment"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, str] = {
    Category.STAFF_MISUSE: "Misuse by a member of staff",
    Category.PUPIL_MISUSE: "Misuse by a pupil",
    Category.PARENT_MISUSE: "Misuse by a parent or carer",
    Category.PUPIL_CONTACT: "A pupil tried to friend or follow a member of staff",
    Category.INAPPROPRIATE_CONTENT: "Inappropriate content seen at school or on a school computer",
    Category.CYBERBULLYING_PUPIL: "Cyberbullying of a pupil",
    Category.ALLEGATION_STAFF: "Cyberbullying of, or an allegation against, a member of staff",
    Category.ABUSIVE_COMMENT: "Abusive comment about a school or the Trust",
    Category.OTHER: "Something else",
}

PROCEDURES: dict[Category, str] = {
    Category.PUPIL_MISUSE: "Behaviour Policy",
    Category.CYBERBULLYING_PUPIL: "Behaviour Policy",
    Category.ALLEGATION_STAFF: "Allegations of Abuse Against Staff Policy",
}
SAFEGUARDING_PROCEDURE = "Safeguarding & Child Protection Policy"


class Status(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class RecipientRole(StrEnum):
    LEAD = "lead"  # must acknowledge: the Headteacher, ELT or the Trust Board
    SAFEGUARDING = "safeguarding"  # the site's Safeguarding Lead
    COMMS = "comms"  # the Head of Comms, for comments about a school or the Trust
    IT = "it"  # the IT provider: only what they need to block a site


ACTING_ROLES = frozenset({RecipientRole.LEAD, RecipientRole.SAFEGUARDING, RecipientRole.COMMS})


class Outcome(StrEnum):
    ACTION_TAKEN = "action_taken"
    OTHER_POLICY = "other_policy"
    REFERRED = "referred"
    NO_FURTHER_ACTION = "no_further_action"


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.ACTION_TAKEN: "Dealt with: action taken",
    Outcome.OTHER_POLICY: "Passed to another procedure (behaviour, allegations, safeguarding)",
    Outcome.REFERRED: "Referred to the police or another agency",
    Outcome.NO_FURTHER_ACTION: "No further action needed",
}


@dataclass
class Recipient:
    """Someone a report was sent to. `as_role` and `site_id` are the directory role that
    entitles them to act, checked again at every action."""

    email: str
    role: RecipientRole
    as_role: str
    site_id: str | None
    reason: str = "routed"  # routed | escalated | handed_over
    active: bool = True


@dataclass
class Note:
    author: str
    text: str
    at: datetime


@dataclass
class MisuseReport:
    ref: str
    reporter: str
    site_id: str
    category: Category
    description: str
    happened_on: date
    created_at: datetime
    ack_due_at: datetime
    platform: str | None = None
    subject_staff: str | None = None
    subject_name: str | None = None
    links: str | None = None
    safeguarding: bool = False
    on_school_device: bool = False
    procedure: str | None = None
    restricted: bool = False
    status: Status = Status.OPEN
    version: int = 1
    lead_level: str = "headteacher"
    nudged_at: datetime | None = None
    escalate_due_at: datetime | None = None
    escalated_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    outcome: Outcome | None = None
    outcome_summary: str | None = None
    recipients: list[Recipient] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    id: int | None = None

    def active(self, *roles: RecipientRole) -> list[Recipient]:
        """Current recipients, optionally only those in the given roles."""
        return [r for r in self.recipients if r.active and (not roles or r.role in roles)]

    def recipient(self, email: str) -> Recipient | None:
        return next((r for r in self.recipients if r.active and r.email == email), None)

    def is_about(self, email: str) -> bool:
        return self.subject_staff is not None and self.subject_staff == email

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("misuse_report", self.ref)

    def state(self) -> dict[str, object]:
        """What the audit trail records of the report (never the report's text)."""
        return {
            "status": self.status.value,
            "version": self.version,
            "recipients": [f"{r.role.value}:{r.email}" for r in self.active()],
            "lead_level": self.lead_level,
        }
