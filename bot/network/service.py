# Network use cases (rule I1): ask for a platform for pupils or for a site to be unblocked; the
# Headteacher approves or declines; the IT provider applies, unblocks or declines. Each click is
# authorised at that moment, audited, and changes nothing the second time.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.audit import audit_change
from bot.clock import Clock
from bot.directory import Directory
from bot.errors import AlreadyDone, NotAllowed, NotFound
from bot.messages import Message
from bot.network import messages
from bot.network.due import ended
from bot.network.forms import PlatformInput, UnblockInput
from bot.network.model import (
    HEAD_ROLE,
    IT_ROLE,
    PLATFORM_PREFIX,
    UNBLOCK_PREFIX,
    Kind,
    NetworkRequest,
    Status,
    check_decide,
    may_decide,
    remove_access,
)
from bot.network.model import approve as approve_rule
from bot.network.model import complete as complete_rule
from bot.network.model import decline as decline_rule
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork
from bot.working_time import WorkingHours

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
Card = Callable[[NetworkRequest, Directory, ZoneInfo], Message]


@dataclass(frozen=True)
class NetworkDeps:
    """What the network flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    zone: ZoneInfo
    hours: WorkingHours | None = field(default=None)  # None: 08:00-17:00, Monday to Friday
    remind_days: int = 2  # working days a request waits before whoever must act is reminded

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    @property
    def working(self) -> WorkingHours:
        return self.hours or WorkingHours(self.zone, time(8), time(17), frozenset(range(5)))


def deps_of(services: Services) -> NetworkDeps:
    return NetworkDeps(
        services.directory,
        services.clock,
        services.hours.zone,
        services.hours,
        services.network_remind_days,
    )


@dataclass(frozen=True)
class Asked:
    request: NetworkRequest
    created: bool


async def request_platform(
    uow: UnitOfWork, deps: NetworkDeps, *, requester: str, data: PlatformInput, source_key: str
) -> Asked:
    """Ask for pupils to use a platform on the network. It goes to the site's Headteacher (a
    Headteacher asking for their own school gives the permission by asking, and it goes
    straight to the IT provider); a resubmitted form returns the first request."""
    directory = deps.directory
    if not _member(directory, requester, data.site_id):
        raise NotAllowed("Please choose one of your own schools.")
    heads = directory.holders(HEAD_ROLE, data.site_id)
    if not heads:
        raise NotAllowed("The directory lists no Headteacher for that school yet.")
    async with uow:
        existing = await uow.network.by_source_key(source_key)
        if existing is not None:
            return Asked(existing, created=False)
        request = await _opened(
            uow,
            deps,
            Kind.PLATFORM,
            requester,
            data.site_id,
            data.reason,
            source_key,
            class_name=data.class_name,
            platform=data.platform,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
        now = request.created_at
        if requester in heads:
            before = request.state()
            approve_rule(directory, request, requester, now)
            await uow.network.save(request)
            await audit_change(
                uow.audit,
                now,
                requester,
                "network_request.approved",
                request,
                before=before,
                detail={"own_request": True},
            )
            await _send_cards(
                uow, deps, request, _it_people(directory), messages.it_thread, messages.it_card
            )
        else:
            await _send_cards(uow, deps, request, heads, messages.head_thread, messages.head_card)
        await uow.commit()
    log.info("network request %s made (site=%s)", request.ref, request.site_id)
    return Asked(request, created=True)


async def request_unblock(
    uow: UnitOfWork, deps: NetworkDeps, *, requester: str, data: UnblockInput, source_key: str
) -> Asked:
    """Ask the IT provider to unblock a site blocked in error."""
    directory = deps.directory
    if not _member(directory, requester, data.site_id):
        raise NotAllowed("Please choose one of your own sites.")
    it_people = _it_people(directory)
    if not it_people:
        raise NotAllowed("The directory lists no IT provider yet; please ask the Trust's IT team.")
    async with uow:
        existing = await uow.network.by_source_key(source_key)
        if existing is not None:
            return Asked(existing, created=False)
        request = await _opened(
            uow,
            deps,
            Kind.UNBLOCK,
            requester,
            data.site_id,
            data.reason,
            source_key,
            address=data.address,
        )
        await _send_cards(uow, deps, request, it_people, messages.it_thread, messages.it_card)
        await uow.commit()
    log.info("unblock request %s made (site=%s)", request.ref, request.site_id)
    return Asked(request, created=True)


async def _opened(
    uow: UnitOfWork,
    deps: NetworkDeps,
    kind: Kind,
    requester: str,
    site_id: str,
    reason: str,
    source_key: str,
    **details: Any,
) -> NetworkRequest:
    """A new request of `kind`, recorded and audited, with the requester's receipt queued."""
    now = deps.clock.now()
    prefix = PLATFORM_PREFIX if kind is Kind.PLATFORM else UNBLOCK_PREFIX
    request = NetworkRequest(
        ref=await uow.network.next_ref(prefix, now.year),
        kind=kind,
        requester=requester,
        site_id=site_id,
        reason=reason,
        status=Status.REQUESTED,
        created_at=now,
        **details,
    )
    await uow.network.add(request, source_key=source_key)
    await audit_change(uow.audit, now, requester, "network_request.requested", request, before=None)
    await _tell(
        uow,
        f"network:{request.ref}:receipt",
        requester,
        messages.receipt(request, deps.directory),
    )
    return request


async def approve(uow: UnitOfWork, deps: NetworkDeps, *, ref: str, actor: str) -> NetworkRequest:
    """The Headteacher's permission: the IT provider gets a card to apply the measures, and
    the requester is told. A second click raises AlreadyDone and changes nothing."""

    async def to_it(request: NetworkRequest) -> None:
        people = _it_people(deps.directory)
        await _send_cards(uow, deps, request, people, messages.it_thread, messages.it_card)

    return await _decide(
        uow,
        deps,
        ref,
        actor,
        lambda request, at: approve_rule(deps.directory, request, actor, at),
        "approved",
        messages.approved,
        unless_ended=True,
        then=to_it,
    )


async def complete(uow: UnitOfWork, deps: NetworkDeps, *, ref: str, actor: str) -> NetworkRequest:
    """The IT provider's Done: measures applied, or the site unblocked; the requester is told."""
    return await _decide(
        uow,
        deps,
        ref,
        actor,
        lambda request, at: complete_rule(deps.directory, request, actor, at),
        "done",
        messages.done,
        unless_ended=True,
    )


async def decline(
    uow: UnitOfWork, deps: NetworkDeps, *, ref: str, actor: str, reason: str
) -> NetworkRequest:
    """Decline a waiting request with a reason; the requester is told it."""
    return await _decide(
        uow,
        deps,
        ref,
        actor,
        lambda request, at: decline_rule(deps.directory, request, actor, at, reason),
        "declined",
        messages.declined,
    )


async def access_removed(
    uow: UnitOfWork, deps: NetworkDeps, *, ref: str, actor: str
) -> NetworkRequest:
    """The IT provider's "Access removed" after the activity: recorded once, cards refreshed,
    the requester told. A second click raises AlreadyDone and changes nothing."""
    return await _decide(
        uow,
        deps,
        ref,
        actor,
        lambda request, at: remove_access(deps.directory, request, actor, at),
        "access_removed",
        messages.removed,
        told="removed",
    )


async def _decide(
    uow: UnitOfWork,
    deps: NetworkDeps,
    ref: str,
    actor: str,
    rule: Callable[[NetworkRequest, datetime], None],
    action: str,
    message: Callable[[NetworkRequest, Directory], Message],
    *,
    told: str | None = None,
    unless_ended: bool = False,
    then: Callable[[NetworkRequest], Awaitable[None]] | None = None,
) -> NetworkRequest:
    """One click on a request, in one transaction: the row locked, `rule` (which raises
    NotAllowed or AlreadyDone and then changes nothing), refused for an ended activity when
    `unless_ended`, saved and audited as `network_request.<action>` with every card refreshed,
    `then` (more cards), and the requester told (`network:<ref>:<told or action>`)."""
    async with uow:
        request = await _for_update(uow, ref)
        before = request.state()
        rule(request, deps.clock.now())
        if unless_ended:
            _refuse_if_ended(deps, request)
        await _changed(uow, deps, actor, f"network_request.{action}", request, before)
        if then is not None:
            await then(request)
        key = f"network:{ref}:{told or action}"
        await _tell(uow, key, request.requester, message(request, deps.directory))
        await uow.commit()
    log.info("network request %s: %s", ref, action.replace("_", " "))
    return request


async def check_can_decline(uow: UnitOfWork, deps: NetworkDeps, *, ref: str, actor: str) -> None:
    """Before the reason form opens: the actor may decide, and the request still waits."""
    async with uow:
        request = await uow.network.get(ref)
    if request is None:
        raise NotFound(f"I can't find a network request {ref}.")
    check_decide(deps.directory, request, actor)


def _refuse_if_ended(deps: NetworkDeps, request: NetworkRequest) -> None:
    """Nothing is approved or applied for an activity that has ended (the request lapses at
    the next working hour; until then a click on its card changes nothing)."""
    if ended(request, deps.today()):
        raise AlreadyDone(
            f"The activity for {request.ref} has ended, so it can no longer be approved or "
            "applied; the request lapses."
        )


async def _for_update(uow: UnitOfWork, ref: str) -> NetworkRequest:
    request = await uow.network.get(ref, for_update=True)
    if request is None:
        raise NotFound(f"I can't find a network request {ref}.")
    return request


def _member(directory: Directory, email: str, site_id: str) -> bool:
    site = directory.site(site_id)
    return site is not None and email in site.members


def _it_people(directory: Directory) -> tuple[str, ...]:
    return directory.holders(IT_ROLE)


async def _send_cards(
    uow: UnitOfWork,
    deps: NetworkDeps,
    request: NetworkRequest,
    people: tuple[str, ...] | list[str],
    thread_of: Callable[[str, str], str],
    card_of: Card,
) -> None:
    card = card_of(request, deps.directory, deps.zone)
    for email in dict.fromkeys(people):
        thread = thread_of(request.ref, email)
        await uow.outbox.add(
            OutboxItem(
                key=f"{thread}:v{request.revision}", recipient=email, message=card, thread=thread
            )
        )


async def _changed(
    uow: UnitOfWork,
    deps: NetworkDeps,
    actor: str,
    action: str,
    request: NetworkRequest,
    before: dict[str, object],
) -> None:
    """Save, audit, and refresh in place every card already sent (reminders included)."""
    await uow.network.save(request)
    await audit_change(uow.audit, deps.clock.now(), actor, action, request, before=before)
    cards = (("head", messages.head_card), ("it", messages.it_card), ("end", messages.end_card))
    for prefix, card_of in cards:
        card = card_of(request, deps.directory, deps.zone)
        for email, thread in await uow.network.card_threads(f"network:{request.ref}:{prefix}:"):
            await uow.outbox.add(OutboxItem.card(thread, request.revision, email, card))


async def _tell(uow: UnitOfWork, key: str, email: str, message: Message) -> None:
    await uow.outbox.add(OutboxItem(key=key, recipient=email, message=message))


# --- what people see on their home page ---


@dataclass(frozen=True)
class NetworkHome:
    to_decide: tuple[NetworkRequest, ...]  # platform requests for this Headteacher
    to_do: tuple[NetworkRequest, ...]  # for the IT provider: measures to apply, sites to unblock
    mine: tuple[NetworkRequest, ...]
    to_remove: tuple[NetworkRequest, ...] = ()  # for the IT provider: access of ended activities


async def for_home(uow: UnitOfWork, deps: NetworkDeps, *, email: str) -> NetworkHome:
    directory = deps.directory
    head = directory.holds(email, HEAD_ROLE)
    it = directory.holds(email, IT_ROLE)
    async with uow:
        asked = await uow.network.waiting(Kind.PLATFORM, [Status.REQUESTED]) if head else []
        applying = await uow.network.waiting(Kind.PLATFORM, [Status.APPROVED]) if it else []
        unblocking = await uow.network.waiting(Kind.UNBLOCK, [Status.REQUESTED]) if it else []
        applied = await uow.network.waiting(Kind.PLATFORM, [Status.DONE]) if it else []
        mine = await uow.network.made_by(email)
    to_decide = [r for r in asked if may_decide(directory, r, email)]
    to_do = [*applying, *unblocking]
    to_remove = [r for r in applied if r.end_asked_at is not None]
    return NetworkHome(tuple(to_decide), tuple(to_do), tuple(mine), tuple(to_remove))
