# Who signs off a request on an account: the two slots (Head of Comms, and the Headteacher or an
# ELT member), who may fill each one now, and delegations of an approver who is away.
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.directory import Directory
from bot.errors import NotAllowed

TRUST = "trust"  # the site id of Trust-wide accounts


class Slot(StrEnum):
    """A sign-off a request needs; its value is the directory role that fills it."""

    COMMS = "head_of_comms"
    HEAD = "headteacher"
    ELT = "elt"


SLOT_LABELS = {
    Slot.COMMS: "Head of Communications",
    Slot.HEAD: "Headteacher",
    Slot.ELT: "Executive Leadership Team",
}
DELEGABLE_ROLES = (Slot.COMMS.value, Slot.HEAD.value, Slot.ELT.value)


@dataclass(frozen=True)
class Delegation:
    """An approver away: `to_email` signs for them in `role` until the end of `until`."""

    from_email: str
    to_email: str
    role: str
    until: date
    created_at: datetime
    ended_at: datetime | None = None
    id: int | None = None

    def active_on(self, day: date) -> bool:
        return self.ended_at is None and day <= self.until


@dataclass(frozen=True)
class Signer:
    """Someone allowed to fill a slot now; `on_behalf_of` when through a delegation."""

    email: str
    on_behalf_of: str | None = None


def slots_for(directory: Directory, site_id: str) -> tuple[Slot, Slot]:
    """Head of Comms and the school's Headteacher; for Trust (or Hub) accounts, Head of Comms
    and one ELT member."""
    site = directory.site(site_id)
    if site is not None and site.kind == "school":
        return Slot.COMMS, Slot.HEAD
    return Slot.COMMS, Slot.ELT


def slot_role(
    directory: Directory, slot: Slot, site_id: str, requester: str
) -> tuple[str, str | None]:
    """The role (and its site) that fills a slot for this request. Nobody signs their own
    request: when the requester is the only holder, the slot goes to the ELT."""
    role, where = slot.value, (site_id if slot is Slot.HEAD else None)
    if any(e != requester for e in directory.holders(role, where)):
        return role, where
    return Slot.ELT.value, None


def signers(
    directory: Directory,
    slot: Slot,
    site_id: str,
    requester: str,
    delegations: Iterable[Delegation],
    today: date,
) -> list[Signer]:
    """Everyone who may fill the slot now: holders of its role, then their active delegates."""
    role, where = slot_role(directory, slot, site_id, requester)
    holders = [e for e in directory.holders(role, where) if e != requester]
    found = [Signer(e) for e in holders]
    for d in delegations:
        if (
            d.role == role
            and d.active_on(today)
            and d.from_email in holders
            and d.to_email != requester
            and directory.holds(d.to_email, role)
            and d.to_email not in holders
        ):
            found.append(Signer(d.to_email, d.from_email))
    return found


def may_see_request(
    directory: Directory,
    *,
    site_id: str,
    requester: str,
    email: str,
    delegations: Iterable[Delegation] = (),
    today: date | None = None,
    waited_until: datetime | None = None,
) -> bool:
    """Who may see a post request: its requester; whoever holds a role that signs it off (the
    Head of Comms, the school's Headteacher or the ELT); and a delegate, as the posts flow
    shows it to them: someone a delegation in force `today` lets sign the request (`signers`,
    so only at the sites of the approver who delegated) sees it when it was waiting for
    sign-off on a day the delegation covers, that is when it stopped waiting (`waited_until`,
    None while it still waits) no earlier than the delegation was made; it was made before
    the delegation ends, as the delegation is in force now. A delegation that has expired or
    was ended shows nothing: a former delegate sees what their own roles let them see."""
    if email == requester or any(
        directory.holds(email, *slot_role(directory, slot, site_id, requester))
        for slot in slots_for(directory, site_id)
    ):
        return True
    if today is None:
        return False
    return any(
        d.to_email == email
        and d.active_on(today)
        and (waited_until is None or waited_until >= d.created_at)
        and any(
            signer.email == email
            for slot in slots_for(directory, site_id)
            for signer in signers(directory, slot, site_id, requester, [d], today)
        )
        for d in delegations
    )


def sites_to_see(
    directory: Directory, email: str, delegations: Iterable[Delegation], today: date
) -> frozenset[str] | None:
    """The sites whose post requests the person may see through a role or a delegation in
    force today (None: every site), their own requests aside. A superset, to narrow a query:
    `may_see_request` decides on each request."""
    if directory.holds(email, Slot.COMMS.value) or directory.holds(email, Slot.ELT.value):
        return None
    heads = [email]
    for d in delegations:
        if d.to_email == email and d.active_on(today):
            if d.role != Slot.HEAD.value:
                return None
            heads.append(d.from_email)
    return frozenset(
        site.id
        for site in directory.sites
        if any(directory.holds(head, Slot.HEAD.value, site.id) for head in heads)
    )


def authorise_signer(
    directory: Directory,
    slot: Slot,
    site_id: str,
    *,
    requester: str,
    actor: str,
    delegations: Iterable[Delegation],
    today: date,
) -> Signer:
    """The actor's right to fill the slot at this moment, or NotAllowed saying why."""
    if actor == requester:
        raise NotAllowed("You can't sign off your own request.")
    for signer in signers(directory, slot, site_id, requester, delegations, today):
        if signer.email == actor:
            return signer
    role, _ = slot_role(directory, slot, site_id, requester)
    raise NotAllowed(
        f"Only the {SLOT_LABELS[Slot(role)]} (or a colleague they delegated to) can sign this "
        "off, and the directory doesn't list you in that role now."
    )


def delegate_candidates(directory: Directory, email: str, role: str) -> list[str]:
    """Colleagues who hold the same role (at any site) and may sign in the person's place."""
    if role not in DELEGABLE_ROLES or not directory.holds(email, role):
        return []
    return sorted(e for e in directory.holders(role) if e != email)


def check_delegation(
    directory: Directory, *, from_email: str, to_email: str, role: str, until: date, today: date
) -> None:
    """Refuse a delegation the policy would not allow, in words the approver can act on."""
    if role not in DELEGABLE_ROLES or not directory.holds(from_email, role):
        raise NotAllowed("You can only delegate a sign-off role you hold.")
    if to_email not in delegate_candidates(directory, from_email, role):
        raise NotAllowed("Please choose a colleague who holds the same role.")
    if until < today:
        raise NotAllowed("Please choose a date from today onwards.")


def roles_to_delegate(directory: Directory, email: str) -> Sequence[str]:
    """The sign-off roles this person holds."""
    return [role for role in DELEGABLE_ROLES if directory.holds(email, role)]
