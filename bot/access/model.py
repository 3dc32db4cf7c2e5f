# Posting access to official accounts and proposed new accounts: the records and their rules.
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.approvals import SLOT_LABELS, Delegation, Signer, Slot, authorise_signer, slots_for
from bot.directory import Account, Directory
from bot.errors import AlreadyDone, NotAllowed

TRUST = "trust"
GRANT_PREFIX = "PA"  # posting access, PA-2026-0001
ACCOUNT_PREFIX = "NA"  # new account, NA-2026-0001


class GrantStatus(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    REFUSED = "refused"
    REVOKED = "revoked"


OPEN_STATUSES = (GrantStatus.REQUESTED, GrantStatus.ACTIVE)


class AccountStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass
class PosterGrant:
    """A request for, then the record of, someone's right to post on an account (rule A1).
    The first sign-off is the Head of Comms (`comms_*`); the second the site's Headteacher, or
    an ELT member for Trust accounts (`head_*`)."""

    ref: str
    account_id: str
    email: str
    requested_by: str
    reason: str | None
    status: GrantStatus
    created_at: datetime
    comms_by: str | None = None
    comms_at: datetime | None = None
    head_by: str | None = None
    head_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    closed_reason: str | None = None
    id: int | None = None

    @property
    def revision(self) -> int:
        """Grows by one with every change (each change fills one more field), so each refresh
        of a card has its own outbox key."""
        return 1 + sum(x is not None for x in (self.comms_by, self.head_by, self.closed_at))

    def signed_by(self, slot: Slot) -> str | None:
        return self.comms_by if slot is Slot.COMMS else self.head_by

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("poster_grant", self.ref)

    def state(self) -> dict[str, Any]:
        """What the audit trail keeps: the state, never the reasons people wrote."""
        return {
            "status": self.status.value,
            "account_id": self.account_id,
            "email": self.email,
            "comms_by": self.comms_by,
            "head_by": self.head_by,
            "closed_by": self.closed_by,
        }


@dataclass
class AccountRequest:
    """A proposed new official account, for the Head of Comms' consultation (rule A6)."""

    ref: str
    requester: str
    site_id: str
    platform: str
    handle: str
    purpose: str
    audience: str
    runners: list[str]
    status: AccountStatus
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None
    id: int | None = None

    @property
    def revision(self) -> int:
        return 1 if self.decided_at is None else 2

    @property
    def audit_key(self) -> tuple[str, str]:
        return ("account_request", self.ref)

    def state(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "site_id": self.site_id,
            "platform": self.platform,
            "handle": self.handle,
            "runners": list(self.runners),
            "decided_by": self.decided_by,
        }


@dataclass(frozen=True)
class Approval:
    """What an approval did: the slot filled, by whom, and whether the grant is now active."""

    grant: PosterGrant
    slot: Slot
    signer: Signer
    now_active: bool


@dataclass(frozen=True)
class SignContext:
    """Who may sign a grant now: the directory, today's delegations and the day."""

    directory: Directory
    delegations: tuple[Delegation, ...] = field(default=())
    today: date = field(default_factory=date.today)


def slot_label(directory: Directory, slot: Slot, site_id: str) -> str:
    """Who fills a slot, in words: "the Headteacher of Willow Primary School"."""
    if slot is Slot.HEAD:
        site = directory.site(site_id)
        return f"the Headteacher of {site.name}" if site else "the Headteacher"
    if slot is Slot.ELT:
        return "a member of the Executive Leadership Team"
    return f"the {SLOT_LABELS[slot]}"


def eligible_slots(
    ctx: SignContext, grant: PosterGrant, site_id: str, actor: str
) -> list[tuple[Slot, Signer]]:
    """The slots of this grant the actor may fill at this moment (authorised each time)."""
    found = []
    for slot in slots_for(ctx.directory, site_id):
        try:
            signer = authorise_signer(
                ctx.directory,
                slot,
                site_id,
                requester=grant.requested_by,
                actor=actor,
                delegations=ctx.delegations,
                today=ctx.today,
            )
        except NotAllowed:
            continue
        found.append((slot, signer))
    return found


def authorise_decision(
    ctx: SignContext, grant: PosterGrant, site_id: str, actor: str
) -> list[tuple[Slot, Signer]]:
    """The actor's slots, or NotAllowed in words they can act on."""
    if actor in (grant.requested_by, grant.email):
        raise NotAllowed("You can't sign off your own request for posting access.")
    found = eligible_slots(ctx, grant, site_id, actor)
    if not found:
        first, second = slots_for(ctx.directory, site_id)
        raise NotAllowed(
            f"Only {slot_label(ctx.directory, first, site_id)} and "
            f"{slot_label(ctx.directory, second, site_id)} (or a colleague they delegated to) "
            f"can decide on {grant.ref}, and the directory doesn't list you in either role now."
        )
    return found


def approve(
    ctx: SignContext, grant: PosterGrant, site_id: str, actor: str, at: datetime
) -> Approval:
    """Fill the actor's slot; the grant becomes active when both slots are filled. A second
    click, or a slot someone else filled first, raises AlreadyDone naming who did it."""
    slots = authorise_decision(ctx, grant, site_id, actor)
    name = ctx.directory.display_name
    if grant.status is not GrantStatus.REQUESTED:
        raise AlreadyDone(_closed_words(ctx, grant))
    if actor in (grant.comms_by, grant.head_by):
        raise AlreadyDone(
            f"You have already approved {grant.ref}. The same person can't give both sign-offs; "
            "it is waiting for the other one."
        )
    open_slots = [(s, signer) for s, signer in slots if grant.signed_by(s) is None]
    if not open_slots:
        slot = slots[0][0]
        raise AlreadyDone(
            f"{grant.ref} was already approved as {SLOT_LABELS[slot]} by "
            f"{name(grant.signed_by(slot) or '')}."
        )
    slot, signer = open_slots[0]
    if slot is Slot.COMMS:
        grant.comms_by, grant.comms_at = actor, at
    else:
        grant.head_by, grant.head_at = actor, at
    active = grant.comms_by is not None and grant.head_by is not None
    if active:
        grant.status = GrantStatus.ACTIVE
    return Approval(grant, slot, signer, active)


def refuse(
    ctx: SignContext, grant: PosterGrant, site_id: str, actor: str, at: datetime, reason: str
) -> None:
    """Refuse a request that is still waiting; one refusal is enough."""
    check_refuse(ctx, grant, site_id, actor)
    grant.status = GrantStatus.REFUSED
    grant.closed_at, grant.closed_by, grant.closed_reason = at, actor, reason


def may_revoke(ctx: SignContext, grant: PosterGrant, site_id: str, actor: str) -> bool:
    """The Head of Comms, or the site's Headteacher (ELT for Trust accounts), or a colleague
    they delegated to: whoever could sign such a grant now."""
    return bool(eligible_slots(ctx, grant, site_id, actor))


def check_revoke(ctx: SignContext, grant: PosterGrant, site_id: str, actor: str) -> None:
    """The actor may revoke this grant now, and it is active; NotAllowed or AlreadyDone if not."""
    if not may_revoke(ctx, grant, site_id, actor):
        raise NotAllowed(
            "Only the Head of Communications, or the account's Headteacher (an ELT member for "
            "Trust accounts), can revoke posting access."
        )
    if grant.status is not GrantStatus.ACTIVE:
        raise AlreadyDone(_closed_words(ctx, grant))


def check_refuse(ctx: SignContext, grant: PosterGrant, site_id: str, actor: str) -> None:
    """The actor may refuse this request now, and it still waits; NotAllowed or AlreadyDone."""
    authorise_decision(ctx, grant, site_id, actor)
    if grant.status is not GrantStatus.REQUESTED:
        raise AlreadyDone(_closed_words(ctx, grant))


def revoke(
    ctx: SignContext, grant: PosterGrant, site_id: str, actor: str, at: datetime, reason: str
) -> None:
    """End an active grant."""
    check_revoke(ctx, grant, site_id, actor)
    grant.status = GrantStatus.REVOKED
    grant.closed_at, grant.closed_by, grant.closed_reason = at, actor, reason


def _closed_words(ctx: SignContext, grant: PosterGrant) -> str:
    name = ctx.directory.display_name
    if grant.status is GrantStatus.ACTIVE:
        return (
            f"{grant.ref} was already approved by {name(grant.comms_by or '')} and "
            f"{name(grant.head_by or '')}."
            if grant.head_by
            else f"{grant.ref} is already active (approved by {name(grant.comms_by or '')})."
        )
    if grant.status is GrantStatus.REFUSED:
        return f"{grant.ref} was already refused by {name(grant.closed_by or '')}."
    if grant.status is GrantStatus.REVOKED:
        return f"{grant.ref} was revoked by {name(grant.closed_by or '')}."
    return f"{grant.ref} is still waiting for sign-off."


def duplicate_words(directory: Directory, existing: PosterGrant, account: Account) -> str:
    """Why a second request for the same person and account is refused."""
    if existing.status is GrantStatus.ACTIVE:
        return f"You can already post on {account.handle} ({existing.ref}); no need to ask again."
    return (
        f"You already asked to post on {account.handle} ({existing.ref}); it is waiting for "
        "sign-off. You'll hear here when it is decided."
    )


def account_label(account: Account, directory: Directory) -> str:
    """ "@WillowPrimary (X, Willow Primary School)"."""
    return f"{account.handle} ({account.platform}, {site_name(directory, account.site)})"


def site_name(directory: Directory, site_id: str) -> str:
    if site_id == TRUST:
        return "Trust-wide"
    site = directory.site(site_id)
    return site.name if site else site_id


def new_account_id(site_id: str, platform: str, taken: Iterable[str]) -> str:
    """f"{site}-{platform}" in lower case, with a number added when the id is taken."""
    base = f"{site_id}-{platform.lower()}"
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def same_account(a: Account, platform: str, handle: str) -> bool:
    """Whether `a` is the account with this platform and handle (handles compared loosely)."""

    def norm(h: str) -> str:
        return h.strip().lstrip("@").lower()

    return a.platform.lower() == platform.lower() and norm(a.handle) == norm(handle)


def decide_account(ctx: SignContext, request: AccountRequest, actor: str) -> Signer:
    """The actor's right to decide on a new-account request: the Head of Comms (or, when they
    asked themselves, an ELT member), through bot.approvals."""
    if actor == request.requester:
        raise NotAllowed("You can't decide on your own request for a new account.")
    try:
        signer = authorise_signer(
            ctx.directory,
            Slot.COMMS,
            request.site_id,
            requester=request.requester,
            actor=actor,
            delegations=ctx.delegations,
            today=ctx.today,
        )
    except NotAllowed:
        raise NotAllowed(
            f"Only the Head of Communications (or a colleague they delegated to) can decide on "
            f"{request.ref}, and the directory doesn't list you in that role now."
        ) from None
    if request.status is not AccountStatus.REQUESTED:
        verb = "approved" if request.status is AccountStatus.APPROVED else "declined"
        raise AlreadyDone(
            f"{request.ref} was already {verb} by "
            f"{ctx.directory.display_name(request.decided_by or '')}."
        )
    return signer
