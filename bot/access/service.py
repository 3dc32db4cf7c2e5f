# Posting access use cases (rule A1) and new-account requests (rule A6): the register of who may
# post where, requests with two sign-offs, refusals, revocations, and proposed new accounts.
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.access import messages
from bot.access.forms import AccountInput
from bot.access.model import (
    ACCOUNT_PREFIX,
    GRANT_PREFIX,
    TRUST,
    AccountRequest,
    AccountStatus,
    Approval,
    GrantStatus,
    PosterGrant,
    SignContext,
    check_refuse,
    check_revoke,
    decide_account,
    duplicate_words,
    eligible_slots,
    may_revoke,
    new_account_id,
    same_account,
)
from bot.access.model import approve as approve_rule
from bot.access.model import refuse as refuse_rule
from bot.access.model import revoke as revoke_rule
from bot.approvals import Slot, signers, slots_for
from bot.audit import audit_change
from bot.clock import Clock
from bot.directory import Account, Directory
from bot.errors import NotAllowed, NotFound
from bot.messages import Message
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
COMMS_ROLE = "head_of_comms"


@dataclass(frozen=True)
class AccessDeps:
    """What the access flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    zone: ZoneInfo

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()


def deps_of(services: Services) -> AccessDeps:
    return AccessDeps(services.directory, services.clock, services.hours.zone)


# --- the register: what the post flows ask (call these inside your `async with uow:`) ---


async def all_accounts(uow: UnitOfWork, directory: Directory) -> list[Account]:
    """Every official account: the directory's, then those added by approved new-account
    requests. Reads in the caller's open unit of work (a fresh one is opened and closed)."""
    async with _reading(uow):
        added = await uow.access.added_accounts()
    known = {a.id for a in directory.accounts}
    return [*directory.accounts, *(a for a in added if a.id not in known)]


async def may_post(uow: UnitOfWork, directory: Directory, email: str, account_id: str) -> bool:
    """Whether the person may post on the account now: an active grant on it, or they are a
    Head of Communications (who runs the Trust's accounts and approves every poster)."""
    email = email.strip().lower()
    if directory.person(email) is None:
        return False
    async with _reading(uow):
        if await _account(uow, directory, account_id) is None:
            return False
        if directory.holds(email, COMMS_ROLE):
            return True
        grant = await uow.access.open_grant(account_id, email)
    return grant is not None and grant.status is GrantStatus.ACTIVE


async def posters_of(uow: UnitOfWork, directory: Directory, account_id: str) -> list[str]:
    """Everyone who may post on the account now: the Head(s) of Communications, then each
    active grant, in the order granted (people no longer in the directory are left out)."""
    async with _reading(uow):
        if await _account(uow, directory, account_id) is None:
            return []
        grants = await uow.access.active_grants(account_id)
    emails = [*directory.holders(COMMS_ROLE), *(g.email for g in grants)]
    return [e for e in dict.fromkeys(emails) if directory.person(e) is not None]


@asynccontextmanager
async def _reading(uow: UnitOfWork) -> AsyncIterator[None]:
    """Use the caller's open unit of work, or open (and close) this one for a read."""
    if getattr(uow, "access", None) is not None:
        yield
        return
    async with uow:
        yield


async def _account(uow: UnitOfWork, directory: Directory, account_id: str) -> Account | None:
    found = directory.account(account_id)
    if found is not None:
        return found
    return next((a for a in await uow.access.added_accounts() if a.id == account_id), None)


# --- posting access: ask, approve, refuse, revoke ---


@dataclass(frozen=True)
class Requested:
    grant: PosterGrant
    account: Account
    created: bool


async def request_access(
    uow: UnitOfWork,
    deps: AccessDeps,
    *,
    requester: str,
    account_id: str,
    reason: str,
    source_key: str,
) -> Requested:
    """Ask for posting access to an account, for oneself. The request goes as a card to
    everyone who may fill either sign-off; a duplicate (waiting or active) is refused, and a
    resubmitted form returns the first request."""
    async with uow:
        account = await _account(uow, deps.directory, account_id)
        if account is None:
            raise NotFound("I can't find that account; please choose one from the list.")
        existing = await uow.access.grant_by_source_key(source_key)
        if existing is not None:
            return Requested(existing, account, created=False)
        await uow.access.lock_pair(account.id, requester)
        if deps.directory.holds(requester, COMMS_ROLE):
            raise NotAllowed(
                "As Head of Communications you may already post on every official account."
            )
        duplicate = await uow.access.open_grant(account.id, requester)
        if duplicate is not None:
            raise NotAllowed(duplicate_words(deps.directory, duplicate, account))
        ctx = await _context(uow, deps)
        recipients = _signer_emails(ctx, account.site, requester)
        if not recipients:
            raise NotAllowed(
                "Nobody in the directory can sign off access to this account yet. Please ask "
                "the Head of Communications."
            )
        now = deps.clock.now()
        grant = PosterGrant(
            ref=await uow.access.next_ref(GRANT_PREFIX, now.year),
            account_id=account.id,
            email=requester,
            requested_by=requester,
            reason=reason,
            status=GrantStatus.REQUESTED,
            created_at=now,
        )
        await uow.access.add_grant(grant, source_key=source_key)
        await audit_change(
            uow.audit, deps.clock.now(), requester, "poster_grant.requested", grant, before=None
        )
        card = messages.grant_card(grant, account, deps.directory, deps.zone)
        for email in recipients:
            thread = messages.grant_thread(grant.ref, email)
            await uow.outbox.add(
                OutboxItem(key=f"{thread}:v1", recipient=email, message=card, thread=thread)
            )
        await _tell(
            uow,
            f"access:{grant.ref}:receipt",
            requester,
            messages.grant_receipt(grant, account, deps.directory),
        )
        await uow.commit()
    log.info("poster grant %s requested (account=%s)", grant.ref, account.id)
    return Requested(grant, account, created=True)


async def approve_access(uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str) -> Approval:
    """Give one of the two sign-offs, authorised at this moment. The second one makes the grant
    active and tells the requester once; a second click changes nothing (AlreadyDone)."""
    async with uow:
        grant, account = await _grant_for_update(uow, deps, ref)
        ctx = await _context(uow, deps)
        before = grant.state()
        done = approve_rule(ctx, grant, account.site, actor, deps.clock.now())
        detail: dict[str, Any] = {"slot": done.slot.value}
        if done.signer.on_behalf_of:
            detail["on_behalf_of"] = done.signer.on_behalf_of
        await _grant_changed(
            uow, deps, ctx, actor, "poster_grant.approved", grant, account, before, detail
        )
        if done.now_active:
            message = messages.grant_active(grant, account, deps.directory)
            await _tell(uow, f"access:{ref}:active", grant.email, message)
        else:
            message = messages.grant_step(grant, account, deps.directory, done.slot)
            await _tell(uow, f"access:{ref}:approved:{done.slot.value}", grant.email, message)
        await uow.commit()
    log.info("poster grant %s approved for slot %s (active=%s)", ref, done.slot, done.now_active)
    return done


async def refuse_access(
    uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str, reason: str
) -> PosterGrant:
    """Refuse a waiting request with a reason; the requester is told it."""
    async with uow:
        grant, account = await _grant_for_update(uow, deps, ref)
        ctx = await _context(uow, deps)
        before = grant.state()
        refuse_rule(ctx, grant, account.site, actor, deps.clock.now(), reason)
        await _grant_changed(
            uow, deps, ctx, actor, "poster_grant.refused", grant, account, before, {}
        )
        message = messages.grant_refused(grant, account, deps.directory)
        await _tell(uow, f"access:{ref}:refused", grant.email, message)
        await uow.commit()
    log.info("poster grant %s refused", ref)
    return grant


async def revoke_access(
    uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str, reason: str
) -> PosterGrant:
    """End an active grant with a reason; the poster is told it."""
    async with uow:
        grant, account = await _grant_for_update(uow, deps, ref)
        ctx = await _context(uow, deps)
        before = grant.state()
        revoke_rule(ctx, grant, account.site, actor, deps.clock.now(), reason)
        await _grant_changed(
            uow, deps, ctx, actor, "poster_grant.revoked", grant, account, before, {}
        )
        message = messages.grant_revoked(grant, account, deps.directory)
        await _tell(uow, f"access:{ref}:revoked", grant.email, message)
        await uow.commit()
    log.info("poster grant %s revoked", ref)
    return grant


async def check_can_refuse(uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str) -> None:
    """Before the refusal form opens: the actor may decide, and the request still waits."""
    async with uow:
        grant, account = await _grant(uow, deps, ref)
        check_refuse(await _context(uow, deps), grant, account.site, actor)


async def check_can_revoke(uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str) -> None:
    """Before the revocation form opens: the actor may revoke, and the grant is active."""
    async with uow:
        grant, account = await _grant(uow, deps, ref)
        check_revoke(await _context(uow, deps), grant, account.site, actor)


async def _grant(uow: UnitOfWork, deps: AccessDeps, ref: str) -> tuple[PosterGrant, Account]:
    grant = await uow.access.grant(ref)
    return await _with_account(uow, deps, ref, grant)


async def _grant_for_update(
    uow: UnitOfWork, deps: AccessDeps, ref: str
) -> tuple[PosterGrant, Account]:
    grant = await uow.access.grant(ref, for_update=True)
    return await _with_account(uow, deps, ref, grant)


async def _with_account(
    uow: UnitOfWork, deps: AccessDeps, ref: str, grant: PosterGrant | None
) -> tuple[PosterGrant, Account]:
    if grant is None:
        raise NotFound(f"I can't find a posting access request {ref}.")
    account = await _account(uow, deps.directory, grant.account_id)
    if account is None:
        raise NotFound(f"The account of {ref} is no longer on the register.")
    return grant, account


async def _context(uow: UnitOfWork, deps: AccessDeps) -> SignContext:
    today = deps.today()
    return SignContext(deps.directory, tuple(await uow.delegations.active(today)), today)


def _signer_emails(ctx: SignContext, site_id: str, requester: str) -> list[str]:
    """Everyone who may fill either slot now (holders, then delegates), each once; empty when
    a slot has nobody."""
    found: list[str] = []
    for slot in slots_for(ctx.directory, site_id):
        people = signers(ctx.directory, slot, site_id, requester, ctx.delegations, ctx.today)
        if not people:
            return []
        found += [s.email for s in people]
    return list(dict.fromkeys(found))


async def _grant_changed(
    uow: UnitOfWork,
    deps: AccessDeps,
    ctx: SignContext,
    actor: str,
    action: str,
    grant: PosterGrant,
    account: Account,
    before: dict[str, Any],
    detail: dict[str, Any],
) -> None:
    """Save, audit, and refresh every card in place: everyone who had one, and (while it
    waits) anyone who may sign it now, such as a new delegate."""
    await uow.access.save_grant(grant)
    await audit_change(
        uow.audit, deps.clock.now(), actor, action, grant, before=before, detail=detail
    )
    holders = await uow.access.card_holders(f"access:{grant.ref}:card:")
    if grant.status is GrantStatus.REQUESTED:
        holders += _signer_emails(ctx, account.site, grant.requested_by)
    card = messages.grant_card(grant, account, deps.directory, deps.zone)
    for email in dict.fromkeys(holders):
        thread = messages.grant_thread(grant.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, grant.revision, email, card))


async def _tell(uow: UnitOfWork, key: str, email: str, message: Message) -> None:
    await uow.outbox.add(OutboxItem(key=key, recipient=email, message=message))


# --- new accounts (A6) ---


@dataclass(frozen=True)
class Proposed:
    request: AccountRequest
    created: bool


async def request_account(
    uow: UnitOfWork, deps: AccessDeps, *, requester: str, data: AccountInput, source_key: str
) -> Proposed:
    """Propose a new official account; it goes to the Head of Comms for consultation."""
    async with uow:
        existing = await uow.access.account_request_by_source_key(source_key)
        if existing is not None:
            return Proposed(existing, created=False)
        if data.site_id != TRUST and deps.directory.site(data.site_id) is None:
            raise NotFound("I can't find that site; please choose one from the list.")
        ctx = await _context(uow, deps)
        deciders = _deciders(ctx, data.site_id, requester)
        if not deciders:
            raise NotAllowed("Nobody in the directory can decide on new accounts yet.")
        now = deps.clock.now()
        request = AccountRequest(
            ref=await uow.access.next_ref(ACCOUNT_PREFIX, now.year),
            requester=requester,
            site_id=data.site_id,
            platform=data.platform,
            handle=data.handle,
            purpose=data.purpose,
            audience=data.audience,
            runners=list(data.runners),
            status=AccountStatus.REQUESTED,
            created_at=now,
        )
        await uow.access.add_account_request(request, source_key=source_key)
        await audit_change(
            uow.audit,
            deps.clock.now(),
            requester,
            "account_request.requested",
            request,
            before=None,
        )
        card = messages.account_card(request, deps.directory, deps.zone)
        for email in deciders:
            thread = messages.account_thread(request.ref, email)
            await uow.outbox.add(
                OutboxItem(key=f"{thread}:v1", recipient=email, message=card, thread=thread)
            )
        await _tell(
            uow, f"account:{request.ref}:receipt", requester, messages.account_receipt(request)
        )
        await uow.commit()
    log.info("account request %s made (site=%s)", request.ref, request.site_id)
    return Proposed(request, created=True)


@dataclass(frozen=True)
class AccountApproved:
    request: AccountRequest
    account: Account
    grants: tuple[PosterGrant, ...]


async def approve_account(
    uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str
) -> AccountApproved:
    """Approve a new account: add it to the register, and give the people named to run it
    active grants recorded as approved by the deciding Head of Comms (who consulted on exactly
    those people). The requester, the runners and the site's Headteacher are told."""
    async with uow:
        request = await _request_for_update(uow, ref)
        ctx = await _context(uow, deps)
        signer = decide_account(ctx, request, actor)
        accounts = await all_accounts(uow, deps.directory)
        if any(same_account(a, request.platform, request.handle) for a in accounts):
            raise NotAllowed(
                f"{request.handle} on {request.platform} is already an official account."
            )
        now = deps.clock.now()
        before = request.state()
        account = Account(
            id=new_account_id(request.site_id, request.platform, [a.id for a in accounts]),
            site=request.site_id,
            platform=request.platform,
            handle=request.handle,
        )
        await uow.access.add_account(account, created_at=now, from_request=request.ref)
        request.status = AccountStatus.APPROVED
        request.decided_by, request.decided_at = actor, now
        detail: dict[str, Any] = {"account_id": account.id}
        if signer.on_behalf_of:
            detail["on_behalf_of"] = signer.on_behalf_of
        await _request_changed(
            uow, deps, actor, "account_request.approved", request, before, detail
        )
        grants = []
        for email in request.runners:
            grant = PosterGrant(
                ref=await uow.access.next_ref(GRANT_PREFIX, now.year),
                account_id=account.id,
                email=email,
                requested_by=request.requester,
                reason=f"Named to run the new account ({request.ref}).",
                status=GrantStatus.ACTIVE,
                created_at=now,
                comms_by=actor,
                comms_at=now,
            )
            await uow.access.add_grant(grant, source_key=f"account:{request.ref}:runner:{email}")
            await audit_change(
                uow.audit,
                deps.clock.now(),
                actor,
                "poster_grant.granted",
                grant,
                before=None,
                detail={"from_request": request.ref},
            )
            await _tell(
                uow,
                f"account:{ref}:runner:{email}",
                email,
                messages.runner_granted(grant, account, deps.directory, ref),
            )
            grants.append(grant)
        await _tell(
            uow,
            f"account:{ref}:approved",
            request.requester,
            messages.account_approved(request, account, deps.directory),
        )
        if request.site_id != TRUST:
            notice = messages.account_added_notice(request, account, deps.directory)
            for head in deps.directory.holders("headteacher", request.site_id):
                await _tell(uow, f"account:{ref}:head:{head}", head, notice)
        await uow.commit()
    log.info("account request %s approved: account %s added", ref, account.id)
    return AccountApproved(request, account, tuple(grants))


async def decline_account(
    uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str, reason: str
) -> AccountRequest:
    """Decline a proposed account with a reason; the requester is told it."""
    async with uow:
        request = await _request_for_update(uow, ref)
        ctx = await _context(uow, deps)
        decide_account(ctx, request, actor)
        before = request.state()
        request.status = AccountStatus.DECLINED
        request.decided_by, request.decided_at = actor, deps.clock.now()
        request.comment = reason
        await _request_changed(uow, deps, actor, "account_request.declined", request, before, {})
        await _tell(
            uow,
            f"account:{ref}:declined",
            request.requester,
            messages.account_declined(request, deps.directory),
        )
        await uow.commit()
    log.info("account request %s declined", ref)
    return request


async def check_can_decide(uow: UnitOfWork, deps: AccessDeps, *, ref: str, actor: str) -> None:
    """Before the decline form opens: the actor may decide, and it still waits."""
    async with uow:
        request = await uow.access.account_request(ref)
        if request is None:
            raise NotFound(f"I can't find a new-account request {ref}.")
        decide_account(await _context(uow, deps), request, actor)


async def _request_for_update(uow: UnitOfWork, ref: str) -> AccountRequest:
    request = await uow.access.account_request(ref, for_update=True)
    if request is None:
        raise NotFound(f"I can't find a new-account request {ref}.")
    return request


def _deciders(ctx: SignContext, site_id: str, requester: str) -> list[str]:
    people = signers(ctx.directory, Slot.COMMS, site_id, requester, ctx.delegations, ctx.today)
    return list(dict.fromkeys(s.email for s in people))


async def _request_changed(
    uow: UnitOfWork,
    deps: AccessDeps,
    actor: str,
    action: str,
    request: AccountRequest,
    before: dict[str, Any],
    detail: dict[str, Any],
) -> None:
    await uow.access.save_account_request(request)
    await audit_change(
        uow.audit, deps.clock.now(), actor, action, request, before=before, detail=detail
    )
    card = messages.account_card(request, deps.directory, deps.zone)
    for email in await uow.access.card_holders(f"account:{request.ref}:card:"):
        thread = messages.account_thread(request.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, request.revision, email, card))


# --- what people see: the register, and their home page ---


def may_see_register(directory: Directory, email: str) -> bool:
    return any(directory.holds(email, role) for role in (COMMS_ROLE, "headteacher", "elt"))


async def register(
    uow: UnitOfWork, deps: AccessDeps, *, viewer: str, filter_text: str = ""
) -> list[messages.RegisterEntry]:
    """The register of authorised posters as this viewer may see it: every account for the
    Head of Comms and the ELT, their own school's accounts for a Headteacher."""
    directory = deps.directory
    if not may_see_register(directory, viewer):
        raise NotAllowed(
            "The register of authorised posters is for the Head of Communications, "
            "Headteachers and the Executive Leadership Team."
        )
    async with uow:
        accounts = await all_accounts(uow, directory)
        ctx = await _context(uow, deps)
        active = await uow.access.active_grants()
        waiting = await uow.access.requested_grants()
    everything = directory.holds(viewer, COMMS_ROLE) or directory.holds(viewer, "elt")
    mine = {s.id for s in directory.sites if directory.holds(viewer, "headteacher", s.id)}
    needle = filter_text.strip().lower()
    entries = []
    for account in accounts:
        if not everything and account.site not in mine:
            continue
        if (
            needle
            and needle not in (account.site, account.id)
            and needle not in (account.handle.lower())
        ):
            continue
        posters = tuple(g for g in active if g.account_id == account.id)
        entries.append(
            messages.RegisterEntry(
                account=account,
                posters=posters,
                waiting=tuple(g for g in waiting if g.account_id == account.id),
                revocable=frozenset(
                    g.ref for g in posters if may_revoke(ctx, g, account.site, viewer)
                ),
            )
        )
    return entries


@dataclass(frozen=True)
class AccessHome:
    """What a person's home page shows of access."""

    may_post_on: tuple[Account, ...]
    comms: bool
    to_sign: tuple[tuple[PosterGrant, Account], ...]
    to_decide: tuple[AccountRequest, ...]
    my_grants: tuple[tuple[PosterGrant, Account | None], ...]
    my_proposals: tuple[AccountRequest, ...]


async def for_home(uow: UnitOfWork, deps: AccessDeps, *, email: str) -> AccessHome:
    directory = deps.directory
    async with uow:
        accounts = {a.id: a for a in await all_accounts(uow, directory)}
        ctx = await _context(uow, deps)
        mine = await uow.access.grants_of(email)
        waiting = await uow.access.requested_grants()
        proposals = await uow.access.requested_account_requests()
        my_proposals = await uow.access.account_requests_by(email)
    to_sign = []
    for grant in waiting:
        account = accounts.get(grant.account_id)
        if account is None or email in (grant.comms_by, grant.head_by, grant.email):
            continue
        slots = eligible_slots(ctx, grant, account.site, email)
        if any(grant.signed_by(slot) is None for slot, _ in slots):
            to_sign.append((grant, account))
    to_decide = []
    for request in proposals:
        try:
            decide_account(ctx, request, email)
        except NotAllowed:
            continue
        to_decide.append(request)
    active = [
        accounts[g.account_id]
        for g in mine
        if g.status is GrantStatus.ACTIVE and g.account_id in accounts
    ]
    return AccessHome(
        may_post_on=tuple(active),
        comms=directory.holds(email, COMMS_ROLE),
        to_sign=tuple(to_sign),
        to_decide=tuple(to_decide),
        my_grants=tuple((g, accounts.get(g.account_id)) for g in mine[:10]),
        my_proposals=tuple(my_proposals),
    )
