# What access messages say: request cards for signers, the requester's updates, the register.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.access.model import (
    AccountRequest,
    AccountStatus,
    GrantStatus,
    PosterGrant,
    site_name,
    slot_label,
)
from bot.approvals import Slot, slots_for
from bot.directory import Account, Directory
from bot.messages import Action, Message, Section, Style


class AccessAction(StrEnum):
    """Buttons of the access flows; the value of each is a reference (or empty)."""

    ASK = "access_ask"  # App Home: ask to post on an account
    PROPOSE = "account_propose"  # App Home: propose a new account
    APPROVE = "access_approve"
    REFUSE = "access_refuse"
    REVOKE = "access_revoke"
    ACCOUNT_APPROVE = "account_approve"
    ACCOUNT_DECLINE = "account_decline"


GRANT_STATUS_LABELS = {
    GrantStatus.REQUESTED: "Waiting for sign-off",
    GrantStatus.ACTIVE: "Active: may post",
    GrantStatus.REFUSED: "Refused",
    GrantStatus.REVOKED: "Revoked",
}
ACCOUNT_STATUS_LABELS = {
    AccountStatus.REQUESTED: "Waiting for the Head of Communications",
    AccountStatus.APPROVED: "Approved: account added",
    AccountStatus.DECLINED: "Declined",
}
FOOTER = "Sent to you because of your role in approving posting access (policy sections 2 and 3)."


def revoke_action_id(ref: str) -> str:
    """Several Revoke buttons share a block, and Slack wants each action id unique there: the
    id is `access_revoke:<ref>` (and the value is the reference too)."""
    return f"{AccessAction.REVOKE}:{ref}"


def when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def grant_thread(ref: str, email: str) -> str:
    return f"access:{ref}:card:{email}"


def account_thread(ref: str, email: str) -> str:
    return f"account:{ref}:card:{email}"


def _signature(
    directory: Directory, grant: PosterGrant, slot: Slot, site_id: str, zone: ZoneInfo
) -> tuple[str, str]:
    label = slot_label(directory, slot, site_id)
    who = grant.signed_by(slot)
    at = grant.comms_at if slot is Slot.COMMS else grant.head_at
    if who and at:
        return (
            label[0].upper() + label[1:],
            f"Approved by {directory.display_name(who)}, {when(at, zone)}",
        )
    if grant.status is GrantStatus.REQUESTED:
        return (label[0].upper() + label[1:], "Waiting")
    return (label[0].upper() + label[1:], "Not given")


def grant_card(
    grant: PosterGrant, account: Account, directory: Directory, zone: ZoneInfo
) -> Message:
    """A request for posting access, for those who sign it, with what they can do next."""
    first, second = slots_for(directory, account.site)
    facts = [
        ("Reference", grant.ref),
        ("Account", f"{account.handle} ({account.platform})"),
        ("Site", site_name(directory, account.site)),
        ("For", directory.display_name(grant.email)),
        ("Status", GRANT_STATUS_LABELS[grant.status]),
        _signature(directory, grant, first, account.site, zone),
        _signature(directory, grant, second, account.site, zone),
    ]
    sections = []
    if grant.reason:
        sections.append(Section("Why they need it", grant.reason))
    if grant.status in (GrantStatus.REFUSED, GrantStatus.REVOKED) and grant.closed_by:
        verb = "Refused" if grant.status is GrantStatus.REFUSED else "Revoked"
        sections.append(
            Section(
                f"{verb} by {directory.display_name(grant.closed_by)}",
                grant.closed_reason or "No reason given.",
            )
        )
    actions: tuple[Action, ...] = ()
    if grant.status is GrantStatus.REQUESTED:
        actions = (
            Action(AccessAction.APPROVE, "Approve", grant.ref, Style.PRIMARY),
            Action(AccessAction.REFUSE, "Refuse", grant.ref, Style.DANGER),
        )
    return Message(
        notification=f"Posting access request {grant.ref} for {account.handle}",
        title=f"Posting access {grant.ref}",
        body=f"{directory.display_name(grant.email)} asks to post on {account.handle}. "
        "It needs two sign-offs: "
        f"{slot_label(directory, first, account.site)} and "
        f"{slot_label(directory, second, account.site)}.",
        facts=tuple(facts),
        sections=tuple(sections),
        actions=actions,
        footer=FOOTER,
    )


def grant_receipt(grant: PosterGrant, account: Account, directory: Directory) -> Message:
    first, second = slots_for(directory, account.site)
    return Message(
        notification=f"Your request {grant.ref} was sent",
        title=f"Request {grant.ref} sent",
        body=f"Your request to post on {account.handle} has gone to "
        f"{slot_label(directory, first, account.site)} and "
        f"{slot_label(directory, second, account.site)}. Both need to approve it; you'll hear "
        "here at each step.",
    )


def grant_step(grant: PosterGrant, account: Account, directory: Directory, slot: Slot) -> Message:
    """To the requester: one of the two sign-offs is given."""
    first, second = slots_for(directory, account.site)
    other = second if slot is first else first
    who = directory.display_name(grant.signed_by(slot) or "")
    return Message(
        notification=f"Your request {grant.ref}: one approval of two",
        title=f"Request {grant.ref}: approved by {who}",
        body=f"{who} approved your request to post on {account.handle}. It now waits for "
        f"{slot_label(directory, other, account.site)}.",
    )


def grant_active(grant: PosterGrant, account: Account, directory: Directory) -> Message:
    return Message(
        notification=f"You can now post on {account.handle}",
        title=f"You can now post on {account.handle}",
        body=f"Your request {grant.ref} was approved by "
        f"{directory.display_name(grant.comms_by or '')} and "
        f"{directory.display_name(grant.head_by or '')}. Every post still needs approval "
        "before it goes out (use /request-post), and must follow the policy's section 3.",
    )


def grant_refused(grant: PosterGrant, account: Account, directory: Directory) -> Message:
    return Message(
        notification=f"Your request {grant.ref} was refused",
        title=f"Request {grant.ref} refused",
        body=f"{directory.display_name(grant.closed_by or '')} refused your request to post on "
        f"{account.handle}.",
        sections=(Section("Their reason", grant.closed_reason or "None given."),),
    )


def grant_revoked(grant: PosterGrant, account: Account, directory: Directory) -> Message:
    return Message(
        notification=f"Your posting access to {account.handle} has ended",
        title=f"Posting access {grant.ref} revoked",
        body=f"{directory.display_name(grant.closed_by or '')} revoked your access to post on "
        f"{account.handle}. Please don't post on it any more.",
        sections=(Section("Their reason", grant.closed_reason or "None given."),),
    )


def runner_granted(
    grant: PosterGrant, account: Account, directory: Directory, request_ref: str
) -> Message:
    return Message(
        notification=f"You can now post on {account.handle}",
        title=f"You can now post on {account.handle}",
        body=f"The new {account.platform} account {account.handle} ({request_ref}) was approved "
        f"by {directory.display_name(grant.comms_by or '')}, with you named to run it; your "
        f"access is {grant.ref}. Every post still needs approval before it goes out "
        "(/request-post).",
    )


def account_card(request: AccountRequest, directory: Directory, zone: ZoneInfo) -> Message:
    """A proposed new account, for the Head of Comms' consultation."""
    facts = [
        ("Reference", request.ref),
        ("Site", site_name(directory, request.site_id)),
        ("Platform", request.platform),
        ("Proposed handle", request.handle),
        ("Proposed by", directory.display_name(request.requester)),
        ("Status", ACCOUNT_STATUS_LABELS[request.status]),
    ]
    if request.decided_by and request.decided_at:
        facts.append(
            (
                "Decided by",
                f"{directory.display_name(request.decided_by)}, {when(request.decided_at, zone)}",
            )
        )
    sections = [
        Section("Purpose", request.purpose),
        Section("Audience", request.audience),
        Section("Who will run it", ", ".join(directory.display_name(e) for e in request.runners)),
    ]
    if request.status is AccountStatus.DECLINED:
        sections.append(Section("Reason for declining", request.comment or "None given."))
    actions: tuple[Action, ...] = ()
    if request.status is AccountStatus.REQUESTED:
        actions = (
            Action(AccessAction.ACCOUNT_APPROVE, "Approve", request.ref, Style.PRIMARY),
            Action(AccessAction.ACCOUNT_DECLINE, "Decline", request.ref, Style.DANGER),
        )
    return Message(
        notification=f"New account proposed: {request.ref}",
        title=f"New account {request.ref}",
        body="A new official account is proposed. Please consult with the proposer on its "
        "purpose and content (policy section 2) before you decide. Approving adds the account "
        "and lets the people named run it.",
        facts=tuple(facts),
        sections=tuple(sections),
        actions=actions,
        footer="Sent to you as Head of Communications.",
    )


def account_receipt(request: AccountRequest) -> Message:
    return Message(
        notification=f"Your proposal {request.ref} was sent",
        title=f"Proposal {request.ref} sent",
        body=f"Your proposed {request.platform} account {request.handle} has gone to the Head "
        "of Communications, who will talk with you about its purpose and content. You'll hear "
        "here when it is decided.",
    )


def account_approved(request: AccountRequest, account: Account, directory: Directory) -> Message:
    return Message(
        notification=f"Your proposal {request.ref} was approved",
        title=f"New account {account.handle} approved",
        body=f"{directory.display_name(request.decided_by or '')} approved the "
        f"{account.platform} account {account.handle}. It is now on the register, and the "
        "people named to run it can ask for posts to be approved.",
    )


def account_declined(request: AccountRequest, directory: Directory) -> Message:
    return Message(
        notification=f"Your proposal {request.ref} was declined",
        title=f"Proposal {request.ref} declined",
        body=f"{directory.display_name(request.decided_by or '')} declined the proposed "
        f"{request.platform} account {request.handle}.",
        sections=(Section("Their reason", request.comment or "None given."),),
    )


def account_added_notice(
    request: AccountRequest, account: Account, directory: Directory
) -> Message:
    """To the site's Headteacher: a new account of their school, and who runs it."""
    return Message(
        notification=f"New official account for {site_name(directory, account.site)}",
        title=f"New account {account.handle}",
        body=f"The Head of Communications approved a new {account.platform} account "
        f"{account.handle} for {site_name(directory, account.site)} ({request.ref}). The people "
        "named below may post on it; /policybot accounts shows the register, where you can "
        "revoke access.",
        sections=(
            Section(
                "Who will run it", ", ".join(directory.display_name(e) for e in request.runners)
            ),
        ),
    )


@dataclass(frozen=True)
class RegisterEntry:
    """One account on the register, as a viewer sees it."""

    account: Account
    posters: tuple[PosterGrant, ...]
    waiting: tuple[PosterGrant, ...]
    revocable: frozenset[str]  # refs of the grants the viewer may revoke


def register_messages(
    entries: Sequence[RegisterEntry], directory: Directory, *, comms: Sequence[str]
) -> list[Message]:
    """The register of authorised posters: a line for the Head of Comms, then each account."""
    name = directory.display_name
    pages = [
        Message(
            notification="Register of authorised posters",
            title="Authorised posters",
            body=f"{len(entries)} account(s). The Head of Communications "
            f"({', '.join(name(e) for e in comms) or 'nobody listed'}) may post on every account.",
        )
    ]
    for entry in entries:
        account = entry.account
        lines = [site_name(directory, account.site)]
        posters = ", ".join(f"{name(g.email)} ({g.ref})" for g in entry.posters)
        lines.append(f"May post: {posters or 'nobody besides the Head of Communications'}")
        if entry.waiting:
            waiting = ", ".join(f"{name(g.email)} ({g.ref})" for g in entry.waiting)
            lines.append(f"Asked, waiting for sign-off: {waiting}")
        pages.append(
            Message(
                notification=f"{account.handle} ({account.platform})",
                title=f"{account.handle} ({account.platform})",
                body="\n".join(lines),
                actions=tuple(
                    Action(revoke_action_id(g.ref), f"Revoke {name(g.email)}", g.ref, Style.DANGER)
                    for g in entry.posters
                    if g.ref in entry.revocable
                )[:25],
            )
        )
    return pages
