# Network requests as time passes (rule I1): reminders to whoever must act on a waiting request,
# lapsing a request whose activity ended first, and asking the IT provider to remove ended
# access (reminding them until they have; their "Access removed" is a click in service).
# Audited; every message keyed so it goes once.
from __future__ import annotations

import logging
from datetime import datetime

from bot.audit import audit_change
from bot.network import messages
from bot.network.due import Due, Step, step_for, waiting_since, working_days_between
from bot.network.model import HEAD_ROLE, Kind, Status, lapse
from bot.network.service import NetworkDeps, _changed, _tell
from bot.outbox import BULK, OutboxItem
from bot.ports import UnitOfWork

log = logging.getLogger(__name__)


async def run_upkeep(uow: UnitOfWork, deps: NetworkDeps) -> int:
    """In working hours: remind, lapse and ask for removals as `bot.network.due` says. Returns
    how many requests it acted on; one cheap query when nothing is due."""
    now = deps.clock.now()
    hours = deps.working
    if not hours.is_working(now):
        return 0
    acted: dict[Step, int] = {}
    async with uow:
        for request in await uow.network.for_upkeep(deps.today()):
            due = step_for(deps.directory, request, hours, now, deps.remind_days)
            if due is None:
                continue
            if due.step is Step.REMIND:
                await _remind(uow, deps, due, now)
            elif due.step is Step.LAPSE:
                await _lapse(uow, deps, due, now)
            else:
                await _ask_removal(uow, deps, due, now)
            acted[due.step] = acted.get(due.step, 0) + 1
        await uow.commit()
    for step, count in acted.items():
        log.info("network upkeep: %d request(s) %s", count, step.value)
    return sum(acted.values())


async def _remind(uow: UnitOfWork, deps: NetworkDeps, due: Due, now: datetime) -> None:
    """The card again, with its buttons, to each person who holds the role today."""
    request, before = due.request, due.request.state()
    waited = working_days_between(deps.working, waiting_since(request), now)
    on_head = request.kind is Kind.PLATFORM and request.status is Status.REQUESTED
    card_of, thread_of = (
        (messages.head_card, messages.head_thread)
        if on_head
        else (messages.end_card, messages.end_thread)
        if request.status is Status.DONE
        else (messages.it_card, messages.it_thread)
    )
    card = messages.reminder(card_of(request, deps.directory, deps.zone), waited)
    day_key = now.astimezone(deps.zone).date().isoformat()
    for email in dict.fromkeys(due.people):
        thread = messages.reminder_thread(thread_of(request.ref, email), day_key)
        await uow.outbox.add(OutboxItem.card(thread, request.revision, email, card, priority=BULK))
    request.reminded_at = now
    await uow.network.save(request)
    await audit_change(
        uow.audit,
        now,
        "system",
        "network_request.reminded",
        request,
        before=before,
        detail={"role": HEAD_ROLE if on_head else "it_provider", "people": len(due.people)},
    )


async def _lapse(uow: UnitOfWork, deps: NetworkDeps, due: Due, now: datetime) -> None:
    """The activity ended first: the request lapses, cards lose their buttons, the requester
    (and the IT provider, when it waited for them) hear of it."""
    request, before = due.request, due.request.state()
    waited_on_it = request.status is Status.APPROVED
    lapse(request, now)
    await _changed(uow, deps, "system", "network_request.lapsed", request, before)
    await _tell(
        uow, f"network:{request.ref}:lapsed", request.requester, messages.lapsed(request, deps.zone)
    )
    if waited_on_it:
        for email in dict.fromkeys(due.people):
            await _tell(
                uow,
                f"network:{request.ref}:lapsed:{email}",
                email,
                messages.lapsed_for_it(request, deps.zone),
            )


async def _ask_removal(uow: UnitOfWork, deps: NetworkDeps, due: Due, now: datetime) -> None:
    """Once: the IT provider removes pupils' access now the activity has ended."""
    request, before = due.request, due.request.state()
    card = messages.end_card(request, deps.directory, deps.zone)
    for email in dict.fromkeys(due.people):
        thread = messages.end_thread(request.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, request.revision, email, card))
    request.end_asked_at = now
    await uow.network.save(request)
    await audit_change(
        uow.audit,
        now,
        "system",
        "network_request.removal_asked",
        request,
        before=before,
        detail={"people": len(due.people)},
    )
