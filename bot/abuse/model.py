# An abuse log entry: where the comment was, who wrote it, what kind, and its status until closed.
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.files import Upload

TRUST = "trust"  # the site id of entries about the Trust as a whole
PLATFORMS = ("Facebook", "Instagram", "X", "TikTok", "LinkedIn", "YouTube", "Other")


class Kind(StrEnum):
    ABUSE_OF_STAFF = "abuse_of_staff"
    ABOUT_PUPILS = "about_pupils"
    DEFAMATORY = "defamatory"
    THREATENING = "threatening"
    SPAM = "spam"
    OTHER = "other"


KIND_LABELS = {
    Kind.ABUSE_OF_STAFF: "Abuse of staff",
    Kind.ABOUT_PUPILS: "About pupils",
    Kind.DEFAMATORY: "Defamatory",
    Kind.THREATENING: "Threatening",
    Kind.SPAM: "Spam",
    Kind.OTHER: "Other",
}


class Done(StrEnum):
    """What was done about the comment before it was logged."""

    HIDDEN = "hidden"
    DELETED = "deleted"
    REPORTED = "reported"


DONE_LABELS = {
    Done.HIDDEN: "Hidden",
    Done.DELETED: "Deleted",
    Done.REPORTED: "Reported to the platform",
}


class Status(StrEnum):
    OPEN = "open"
    REPORTED = "reported"  # reported to the platform
    HELPLINE = "helpline"  # escalated to the Professionals Online Safety Helpline
    POLICE = "police"  # escalated to the police
    CLOSED = "closed"


STATUS_LABELS = {
    Status.OPEN: "Open",
    Status.REPORTED: "Reported to the platform",
    Status.HELPLINE: "Escalated to the Professionals Online Safety Helpline",
    Status.POLICE: "Escalated to the police",
    Status.CLOSED: "Closed",
}


@dataclass
class AbuseEntry:
    """One logged comment. `logged_at` is the bot's own time of capture (evidence); `seen_at`
    is when the person saw it. `report_ref` links an entry made from a misuse report."""

    ref: str
    logged_by: str
    site_id: str  # a school's id, or TRUST
    platform: str
    link: str | None
    account: str | None
    author: str | None
    seen_at: datetime
    kind: Kind
    logged_at: datetime
    done: tuple[Done, ...] = ()
    screenshot_url: str | None = None  # a link to a screenshot kept elsewhere
    note: str | None = None
    report_ref: str | None = None
    status: Status = Status.OPEN
    status_by: str | None = None
    status_at: datetime | None = None
    nudged_at: datetime | None = None
    revision: int = 1
    id: int | None = None

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("abuse_entry", self.ref)

    def state(self) -> dict[str, object]:
        """What the audit trail keeps: ids and flags, never the comment, handle or links."""
        return {
            "status": self.status.value,
            "site_id": self.site_id,
            "kind": self.kind.value,
            "platform": self.platform,
            "done": [d.value for d in self.done],
            "screenshot": self.screenshot_url is not None,
            "report_ref": self.report_ref,
            "nudged": self.nudged_at is not None,
        }


MAX_SCREENSHOTS = 5  # files kept with one entry
FETCH_TRIES = 5  # attempts to fetch a file before the person is asked to send it again


class ShotState(StrEnum):
    WAITING = "waiting"  # given, not fetched yet
    KEPT = "kept"  # fetched, fingerprinted and stored
    FAILED = "failed"  # could not be fetched; the person was asked to send it again
    GIVEN = "given"  # only a fingerprint the person typed (entries logged before files)


@dataclass
class Screenshot:
    """A screenshot file given with an entry. The bot fetches it from the channel, keeps its
    bytes and their SHA-256 with the time it did so (`kept_at`), so a later copy can be shown
    to be the same file."""

    entry_ref: str
    added_by: str
    added_at: datetime
    upload: Upload
    state: ShotState = ShotState.WAITING
    sha256: str | None = None
    size: int | None = None
    kept_at: datetime | None = None
    tries: int = 0
    next_try_at: datetime | None = None
    problem: str | None = None
    id: int | None = None

    @property
    def name(self) -> str:
        return self.upload.name
