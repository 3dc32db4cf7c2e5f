# Tasks people must do: take a post down after consent was withdrawn (C1), ask a pupil who
# turned 18 for their own consent (C2); and the published posts a withdrawal is checked against.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.consent.model import Media, Scope
from bot.directory import Directory


class TaskKind(StrEnum):
    TAKEDOWN = "takedown"
    CONSENT_AT_18 = "consent_at_18"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    NOT_PRACTICABLE = "not_practicable"


STATUS_LABELS = {
    TaskStatus.OPEN: "Open",
    TaskStatus.DONE: "Done",
    TaskStatus.NOT_PRACTICABLE: "Not practicable",
}


@dataclass
class Task:
    """Something a person must do, created once per cause (`key`), open until closed."""

    key: str
    kind: TaskKind
    site_id: str
    assignees: list[str]
    created_at: datetime
    status: TaskStatus = TaskStatus.OPEN
    post_ref: str | None = None
    pupil_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    nudged_on: date | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    reason: str | None = None
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status is TaskStatus.OPEN

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("task", str(self.id))

    def state(self) -> dict[str, object]:
        """What the audit trail keeps: ids, status and who closed it; never a pupil's name."""
        return {
            "kind": self.kind.value,
            "status": self.status.value,
            "site_id": self.site_id,
            "post_ref": self.post_ref,
            "pupil_id": self.pupil_id,
            "done_by": self.done_by,
        }

    def current_assignees(self, directory: Directory) -> list[str]:
        """Who the task is for now: for a take-down, whoever published the post and every Head
        of Comms; for consent at 18, the office of the site (its Headteacher if it has none).
        A person who no longer holds the role is no longer asked."""
        if self.kind is TaskKind.TAKEDOWN:
            publisher = self.detail.get("published_by")
            people = [publisher] if publisher and directory.person(publisher) else []
            return list(dict.fromkeys([*people, *directory.holders("head_of_comms")]))
        return list(at18_assignees(directory, self.site_id))


def at18_assignees(directory: Directory, site_id: str) -> tuple[str, ...]:
    site = directory.site(site_id)
    if site is None:
        return ()
    return site.office or site.headteacher


@dataclass(frozen=True)
class Exposure:
    """A published post whose current version shows a pupil unblurred."""

    post_ref: str
    site_id: str  # the account's site, or "trust"
    account_id: str
    published_by: str | None
    published_url: str | None
    shows: str  # none | images | videos | both
    pupil_id: int

    def uses(self) -> list[tuple[Media, Scope]]:
        """What the post needs consent for: its media, on school or Trust accounts."""
        scope = Scope.TRUST if self.site_id == "trust" else Scope.SCHOOL
        media = {
            "images": [Media.IMAGES],
            "videos": [Media.VIDEOS],
            "both": [Media.IMAGES, Media.VIDEOS],
        }.get(self.shows, [])
        return [(m, scope) for m in media]
