# A request to post on an official account: its versions, the pupils it shows, its sign-offs.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.approvals import Slot
from bot.consent.model import Media, Scope


class Objective(StrEnum):
    """What a post is for (policy section 3)."""

    EVENT = "event"
    GOOD_NEWS = "good_news"
    ACHIEVEMENT = "achievement"
    PARENT_INFO = "parent_info"


OBJECTIVE_LABELS = {
    Objective.EVENT: "An upcoming event",
    Objective.GOOD_NEWS: "Good news about performance, attainment or reputation",
    Objective.ACHIEVEMENT: "Achievements of staff or pupils",
    Objective.PARENT_INFO: "Information for parents (for example a closure)",
}


class Shows(StrEnum):
    """Whether the post shows pupils, and in what."""

    NONE = "none"
    IMAGES = "images"
    VIDEOS = "videos"
    BOTH = "both"

    @property
    def media(self) -> tuple[Media, ...]:
        return {
            Shows.NONE: (),
            Shows.IMAGES: (Media.IMAGES,),
            Shows.VIDEOS: (Media.VIDEOS,),
            Shows.BOTH: (Media.IMAGES, Media.VIDEOS),
        }[self]


SHOWS_LABELS = {
    Shows.NONE: "No pupils",
    Shows.IMAGES: "Pupils in photos",
    Shows.VIDEOS: "Pupils in videos",
    Shows.BOTH: "Pupils in photos and videos",
}


class Status(StrEnum):
    PENDING = "pending"
    CHANGES = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    PUBLISHED = "published"


STATUS_LABELS = {
    Status.PENDING: "Waiting for sign-off",
    Status.CHANGES: "Changes requested",
    Status.APPROVED: "Approved, not yet published",
    Status.REJECTED: "Rejected",
    Status.EXPIRED: "Expired: its time passed before sign-off",
    Status.PUBLISHED: "Published",
}
OPEN = (Status.PENDING, Status.CHANGES)  # a requester may still edit and resubmit
EDITABLE = (Status.PENDING, Status.CHANGES, Status.EXPIRED)


class Decision(StrEnum):
    APPROVED = "approved"
    CHANGES = "changes"
    REJECTED = "rejected"


class Confirmation(StrEnum):
    """What the requester confirms (policy sections 3 and 7)."""

    CONTENT = "content"
    DEVICE = "device"
    NO_OTHER_ID = "no_other_id"


CONFIRMATION_LABELS = {
    Confirmation.CONTENT: "It is neutral and appropriate: not political, no personal views, "
    "nothing offensive or unlawful",
    Confirmation.DEVICE: "Any photos or videos were taken on a Trust-owned, approved device",
    Confirmation.NO_OTHER_ID: "No other information identifies a pupil (no surnames, no "
    "uniform names or locations beyond the school)",
}


@dataclass(frozen=True)
class ShownPupil:
    """A pupil a version shows; `blurred` when they will be blurred or cropped out."""

    pupil_id: int
    blurred: bool = False


@dataclass(frozen=True)
class Finding:
    """What the automatic screening found, as stored with a version."""

    kind: str
    words: str
    message: str
    blocking: bool


@dataclass(frozen=True)
class PostVersion:
    """One submitted version; never changed once recorded."""

    number: int
    text: str
    publish_at: datetime
    shows: Shows
    media_links: tuple[str, ...]
    pupils: tuple[ShownPupil, ...]
    confirmations: tuple[str, ...]
    findings: tuple[Finding, ...]
    submitted_at: datetime
    submitted_by: str
    source_key: str


@dataclass(frozen=True)
class SignOff:
    """A decision on one version, in one slot."""

    version: int
    slot: Slot
    email: str
    decision: Decision
    at: datetime
    comment: str | None = None
    on_behalf_of: str | None = None


@dataclass
class PostRequest:
    ref: str
    requester: str
    account_id: str
    site_id: str  # the account's site, or "trust"
    objective: Objective
    status: Status
    created_at: datetime
    versions: list[PostVersion] = field(default_factory=list)
    signoffs: list[SignOff] = field(default_factory=list)
    revision: int = 1
    nudged_at: datetime | None = None
    decided_at: datetime | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    published_url: str | None = None
    id: int | None = None

    @property
    def current(self) -> PostVersion:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.current.number

    @property
    def waited_until(self) -> datetime | None:
        """When it stopped waiting for sign-off: None while open (pending, or changes asked),
        then its decision, or (expired undecided) the time it was due to go out."""
        if self.status in OPEN:
            return None
        if self.decided_at is not None:
            return self.decided_at
        return self.current.publish_at if self.versions else self.created_at

    @property
    def scope(self) -> Scope:
        return Scope.TRUST if self.site_id == "trust" else Scope.SCHOOL

    def signoffs_of(self, version: int | None = None) -> list[SignOff]:
        number = self.version if version is None else version
        return [s for s in self.signoffs if s.version == number]

    def signed(self, slot: Slot) -> SignOff | None:
        """The current version's decision in a slot, if any."""
        return next((s for s in self.signoffs_of() if s.slot is slot), None)

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("post_request", self.ref)

    def state(self) -> dict[str, Any]:
        """What the audit trail keeps of a request: no post text, no pupil names."""
        return {
            "status": self.status.value,
            "version": self.version,
            "account": self.account_id,
            "publish_at": self.current.publish_at.isoformat(),
            "pupils": [p.pupil_id for p in self.current.pupils],
            "blurred": [p.pupil_id for p in self.current.pupils if p.blurred],
            "signoffs": [
                f"v{s.version}:{s.slot.value}:{s.decision.value}:{s.email}"
                + (f" for {s.on_behalf_of}" if s.on_behalf_of else "")
                for s in self.signoffs
            ],
            "published_url": self.published_url,
        }
