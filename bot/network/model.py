# Network requests (rule I1): a platform for pupils on the school network, approved by the
# Headteacher and applied by the IT provider; and a blocked site the IT provider unblocks.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.directory import Directory
from bot.errors import AlreadyDone, NotAllowed

PLATFORM_PREFIX = "NW"  # network access for pupils, NW-2026-0001 ("NA" is a new account)
UNBLOCK_PREFIX = "UB"  # unblock, UB-2026-0001
HEAD_ROLE = "headteacher"
IT_ROLE = "it_provider"


class Kind(StrEnum):
    PLATFORM = "platform"  # pupils use a platform on the school network for an activity
    UNBLOCK = "unblock"  # an erroneously blocked site is unblocked


class Status(StrEnum):
    REQUESTED = "requested"  # waiting for the Headteacher (platform) or the IT provider (unblock)
    APPROVED = "approved"  # platform: waiting for the IT provider to apply security measures
    DONE = "done"  # platform: measures applied; unblock: site unblocked
    DECLINED = "declined"
    LAPSED = "lapsed"  # platform: the activity ended before it was approved or applied
    ENDED = "ended"  # platform: the activity ended and the IT provider removed the access


STATUS_LABELS = {
    Status.REQUESTED: "Waiting",
    Status.APPROVED: "Approved, waiting for IT",
    Status.DONE: "Done",
    Status.DECLINED: "Declined",
    Status.LAPSED: "Lapsed, the activity has ended",
    Status.ENDED: "Access removed after the activity",
}


@dataclass
class NetworkRequest:
    """A request about the school network. For a platform: the class, the platform and the
    dates; for an unblock: the address. `approved_*` is the Headteacher's approval (platform
    only), `done_*` the IT provider's completion, `declined_*` a refusal with its reason."""

    ref: str
    kind: Kind
    requester: str
    site_id: str
    reason: str
    status: Status
    created_at: datetime
    class_name: str | None = None
    platform: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    address: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    done_by: str | None = None
    done_at: datetime | None = None
    declined_by: str | None = None
    declined_at: datetime | None = None
    declined_reason: str | None = None
    reminded_at: datetime | None = None  # the last reminder to whoever must act
    lapsed_at: datetime | None = None  # the activity ended while it still waited
    end_asked_at: datetime | None = None  # the IT provider was asked to remove the access
    removed_by: str | None = None  # the IT provider who removed it
    removed_at: datetime | None = None
    id: int | None = None

    @property
    def revision(self) -> int:
        """Grows by one with every change, so each refresh of a card has its own outbox key."""
        changes = (self.approved_at, self.done_at, self.declined_at, self.lapsed_at)
        return 1 + sum(x is not None for x in (*changes, self.removed_at))

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("network_request", self.ref)

    def state(self) -> dict[str, Any]:
        """What the audit trail keeps: ids and flags, never the reasons, the class or the
        address people wrote."""
        return {
            "kind": self.kind.value,
            "status": self.status.value,
            "site_id": self.site_id,
            "platform": self.platform,
            "requester": self.requester,
            "approved_by": self.approved_by,
            "done_by": self.done_by,
            "declined_by": self.declined_by,
            "removed_by": self.removed_by,
            "reminded": self.reminded_at is not None,
            "end_asked": self.end_asked_at is not None,
        }


def may_decide(directory: Directory, request: NetworkRequest, actor: str) -> bool:
    """Who decides a waiting request now: the site's Headteacher for a platform, the IT
    provider for an unblock."""
    if request.kind is Kind.PLATFORM:
        return directory.holds(actor, HEAD_ROLE, request.site_id)
    return directory.holds(actor, IT_ROLE)


def check_decide(directory: Directory, request: NetworkRequest, actor: str) -> None:
    """The actor may approve or decline (unblock: complete or decline) `request` now, and it
    still waits; NotAllowed or AlreadyDone in words they can act on."""
    if not may_decide(directory, request, actor):
        if request.kind is Kind.PLATFORM:
            site = directory.site(request.site_id)
            where = site.name if site else request.site_id
            raise NotAllowed(
                f"Only the Headteacher of {where} can decide on {request.ref}, and the "
                "directory doesn't list you in that role now."
            )
        raise NotAllowed(
            f"Only the Trust's IT provider can act on {request.ref}, and the directory doesn't "
            "list you in that role now."
        )
    if request.status is not Status.REQUESTED:
        raise AlreadyDone(closed_words(directory, request))


def check_apply(directory: Directory, request: NetworkRequest, actor: str) -> None:
    """The actor (the IT provider now) may mark an approved platform request applied."""
    if not directory.holds(actor, IT_ROLE):
        raise NotAllowed(
            f"Only the Trust's IT provider can apply the security measures for {request.ref}, "
            "and the directory doesn't list you in that role now."
        )
    if request.status is not Status.APPROVED:
        raise AlreadyDone(closed_words(directory, request))


def approve(directory: Directory, request: NetworkRequest, actor: str, at: datetime) -> None:
    """The Headteacher's permission for a platform request."""
    if request.kind is not Kind.PLATFORM:
        raise NotAllowed(f"{request.ref} is an unblock request; it needs no approval.")
    check_decide(directory, request, actor)
    request.status, request.approved_by, request.approved_at = Status.APPROVED, actor, at


def complete(directory: Directory, request: NetworkRequest, actor: str, at: datetime) -> None:
    """The IT provider's Done: measures applied (platform) or site unblocked (unblock)."""
    if request.kind is Kind.PLATFORM:
        check_apply(directory, request, actor)
    else:
        check_decide(directory, request, actor)
    request.status, request.done_by, request.done_at = Status.DONE, actor, at


def decline(
    directory: Directory, request: NetworkRequest, actor: str, at: datetime, reason: str
) -> None:
    """Decline a waiting request with a reason (the requester sees it)."""
    check_decide(directory, request, actor)
    request.status = Status.DECLINED
    request.declined_by, request.declined_at, request.declined_reason = actor, at, reason


def check_remove(directory: Directory, request: NetworkRequest, actor: str) -> None:
    """The actor (the IT provider now) may record that an applied platform's access is
    removed; a second click raises AlreadyDone."""
    if not directory.holds(actor, IT_ROLE):
        raise NotAllowed(
            f"Only the Trust's IT provider can remove the access for {request.ref}, and the "
            "directory doesn't list you in that role now."
        )
    if request.kind is not Kind.PLATFORM or request.status is not Status.DONE:
        raise AlreadyDone(closed_words(directory, request))


def remove_access(directory: Directory, request: NetworkRequest, actor: str, at: datetime) -> None:
    """The IT provider removed pupils' access (restored the filtering) after the activity."""
    check_remove(directory, request, actor)
    request.status, request.removed_by, request.removed_at = Status.ENDED, actor, at


def lapse(request: NetworkRequest, at: datetime) -> None:
    """The activity ended while the request still waited: nothing is to be approved or applied."""
    if request.status not in (Status.REQUESTED, Status.APPROVED):
        raise AlreadyDone(f"{request.ref} no longer waits.")
    request.status, request.lapsed_at = Status.LAPSED, at


def closed_words(directory: Directory, request: NetworkRequest) -> str:
    """The polite answer to a click on something already decided."""
    name = directory.display_name
    if request.status is Status.LAPSED:
        return f"{request.ref} has lapsed: the activity ended on {_ends(request)}."
    if request.status is Status.ENDED:
        return (
            f"{request.ref} is closed: {name(request.removed_by or '')} already removed the "
            "access after the activity."
        )
    if request.status is Status.DECLINED:
        return f"{request.ref} was already declined by {name(request.declined_by or '')}."
    if request.status is Status.DONE:
        verb = "applied" if request.kind is Kind.PLATFORM else "unblocked"
        return f"{request.ref} was already {verb} by {name(request.done_by or '')}."
    if request.status is Status.APPROVED:
        return (
            f"{request.ref} was already approved by {name(request.approved_by or '')}; it is "
            "waiting for the IT provider."
        )
    return f"{request.ref} is still waiting for a decision."


def _ends(request: NetworkRequest) -> str:
    when = request.ends_on
    return f"{when.day} {when.strftime('%b %Y')}" if when else "its end date"
