# A relationship declaration: who, which pupil, what connection, and its life from sent to ended.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Relationship(StrEnum):
    OWN_CHILD = "own_child"
    RELATIVE = "relative"
    FAMILY_FRIEND = "family_friend"
    OTHER = "other"


RELATIONSHIP_LABELS = {
    Relationship.OWN_CHILD: "My own child",
    Relationship.RELATIVE: "A relative",
    Relationship.FAMILY_FRIEND: "A close friend of the family",
    Relationship.OTHER: "Other",
}

PLATFORMS = (
    "Facebook",
    "Instagram",
    "WhatsApp",
    "Snapchat",
    "TikTok",
    "X",
    "YouTube",
    "LinkedIn",
    "Other",
)


class Status(StrEnum):
    OPEN = "open"  # sent, waiting for a Safeguarding Lead to acknowledge it
    ACKNOWLEDGED = "acknowledged"
    ENDED = "ended"


STATUS_LABELS = {
    Status.OPEN: "Waiting for acknowledgement",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.ENDED: "Ended",
}


class EndReason(StrEnum):
    PUPIL_LEFT = "pupil_left"
    CONNECTION_REMOVED = "connection_removed"
    OTHER = "other"


END_REASON_LABELS = {
    EndReason.PUPIL_LEFT: "The pupil has left the school",
    EndReason.CONNECTION_REMOVED: "We are no longer connected",
    EndReason.OTHER: "Other",
}


class Mail(StrEnum):
    """What became of the e-mail the policy asks for."""

    QUEUED = "queued"  # in the outbox; its delivery is looked up there
    NOT_CONFIGURED = "not_configured"  # no mailer was set up when it was sent


@dataclass(frozen=True)
class Exchange:
    """A question from a Safeguarding Lead, or the member of staff's answer."""

    at: datetime
    by: str
    kind: str  # question | answer
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "by": self.by, "kind": self.kind, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Exchange:
        return cls(datetime.fromisoformat(data["at"]), data["by"], data["kind"], data["text"])


@dataclass
class Declaration:
    """A member of staff's declaration of a personal connection with a pupil. `site_id` is the
    pupil's site: its Safeguarding Leads receive it. `leads` are those it was sent to."""

    ref: str
    declarer: str
    site_id: str
    pupil_name: str
    relationship: Relationship
    platforms: tuple[str, ...]
    created_at: datetime
    confirmed_on: date
    leads: tuple[str, ...]
    mail: Mail
    pupil_id: int | None = None
    description: str | None = None
    since: date | None = None
    note: str | None = None
    status: Status = Status.OPEN
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    ended_by: str | None = None
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    end_note: str | None = None
    nudged_on: date | None = None
    revision: int = 1
    exchanges: list[Exchange] = field(default_factory=list)
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.status is not Status.ENDED

    @property
    def confirm_due(self) -> date:
        """The day its member of staff must say again that it is still true."""
        return a_year_after(self.confirmed_on)

    def overdue(self, today: date) -> bool:
        """Past its yearly re-confirmation, and still in force."""
        return self.active and today >= self.confirm_due

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("declaration", self.ref)

    def state(self) -> dict[str, object]:
        """What the audit trail keeps: ids and flags, never the pupil's name or the texts."""
        return {
            "status": self.status.value,
            "site_id": self.site_id,
            "pupil_id": self.pupil_id,
            "relationship": self.relationship.value,
            "confirmed_on": self.confirmed_on.isoformat(),
            "exchanges": len(self.exchanges),
            "mail": self.mail.value,
        }

    def relationship_label(self) -> str:
        label = RELATIONSHIP_LABELS[self.relationship]
        if self.relationship is Relationship.OTHER and self.description:
            return f"Other: {self.description}"
        return label


def a_year_after(day: date) -> date:
    """The same day a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
