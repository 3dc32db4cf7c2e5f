# Policy changes (rule P1): the Head of Comms announces a change to every member of staff, each
# acknowledges it once, those who have not are nudged weekly in term time, and the Head of Comms,
# ELT and Headteachers see who has acknowledged it, per site.
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.audit import record
from bot.errors import NotAllowed, NotFound
from bot.forms import Form
from bot.outbox import BULK, OutboxItem
from bot.policy import messages
from bot.policy.forms import announce_form, parse_change
from bot.policy.model import (
    AckView,
    Change,
    ack_sites,
    announced_week,
    change_thread,
    nudge_key,
    site_acks,
    staff_of,
    to_nudge,
    week_of,
)
from bot.policy.service import PolicyDeps, check_comms
from bot.ports import UnitOfWork

log = logging.getLogger(__name__)
ANNOUNCE = "announce a change to the policy"
VIEW_REFUSAL = (
    "Only the Head of Communications, ELT and Headteachers can see who has acknowledged a "
    "change to the policy."
)


@dataclass(frozen=True)
class Announced:
    change: Change
    created: bool


@dataclass(frozen=True)
class Acked:
    change: Change
    at: datetime
    created: bool


def open_announce_form(deps: PolicyDeps, *, by: str) -> Form:
    check_comms(deps, by, ANNOUNCE)
    return announce_form()


async def announce(
    uow: UnitOfWork,
    deps: PolicyDeps,
    *,
    by: str,
    values: Mapping[str, object],
    source_key: str,
) -> Announced:
    """Record a change with a snapshot of every member of staff, and queue each one's card
    with Acknowledge (BULK, behind urgent messages). A resubmitted form announces nothing."""
    check_comms(deps, by, ANNOUNCE)
    data = parse_change(announce_form(), values)
    directory, zone = deps.directory, deps.hours.zone
    staff = staff_of(directory)
    async with uow:
        existing = await uow.policy.change_by_source_key(source_key)
        if existing is not None:
            return Announced(existing, created=False)
        now = deps.clock.now()
        change = await uow.policy.add_change(
            Change(
                ref=await uow.policy.next_ref("PC", now.year),
                summary=data.summary,
                link=data.link,
                announced_by=by,
                announced_at=now,
                staff=staff,
            ),
            source_key=source_key,
        )
        message = messages.change_card(change, directory, zone)
        for email in staff:
            thread = change_thread(change.ref, email)
            await uow.outbox.add(OutboxItem.card(thread, 1, email, message, priority=BULK))
        await record(
            uow.audit,
            now,
            by,
            "policy.change_announced",
            ("policy_change", change.ref),
            before=None,
            after={"staff": len(staff), "link": True},
        )
        await uow.commit()
    log.info("policy change %s announced to %d member(s) of staff", change.ref, len(staff))
    return Announced(change, created=True)


async def acknowledge(uow: UnitOfWork, deps: PolicyDeps, *, ref: str, by: str) -> Acked:
    """A member of staff acknowledges a change once; their card then says when. A second
    click changes nothing and answers with the first time."""
    async with uow:
        change = await uow.policy.change(ref)
        if change is None or change.id is None:
            raise NotFound(f"There is no policy change {ref}.")
        if by not in change.staff:
            raise NotAllowed(f"{ref} was not sent to you, so there is nothing to acknowledge.")
        now = deps.clock.now()
        if not await uow.policy.add_ack(change.id, by, now):
            first = (await uow.policy.acks(change.id))[by]
            return Acked(change, first, created=False)
        message = messages.change_card(change, deps.directory, deps.hours.zone, acked_at=now)
        await uow.outbox.add(OutboxItem.card(change_thread(ref, by), 2, by, message))
        await record(
            uow.audit,
            now,
            by,
            "policy.change_acknowledged",
            ("policy_change", ref),
            before={"acknowledged": False},
            after={"acknowledged": True},
        )
        await uow.commit()
    log.info("policy change %s acknowledged", ref)
    return Acked(change, now, created=True)


async def send_nudges(uow: UnitOfWork, deps: PolicyDeps) -> int:
    """Run at every scheduler tick. At a working moment in term time, nudge everyone still
    on the staff who has not acknowledged a change, once per change and ISO week (the outbox
    key, and the change's `nudged_week`); the announcement's own week counts as its first.
    Returns how many were queued."""
    now, directory, zone = deps.clock.now(), deps.directory, deps.hours.zone
    today = deps.today()
    if not deps.hours.is_working(now) or not directory.in_term(today):
        return 0
    week, queued = week_of(today), 0
    async with uow:
        changes = await uow.policy.changes_to_nudge(week)
        if not changes:
            return 0
        for change in changes:
            assert change.id is not None
            if announced_week(change, zone) != week:
                queued += await _nudge(uow, deps, change, week)
            await uow.policy.mark_nudged(change.id, week)
        await uow.commit()
    log.info("policy change nudges for %s: %d queued", week, queued)
    return queued


async def _nudge(uow: UnitOfWork, deps: PolicyDeps, change: Change, week: str) -> int:
    assert change.id is not None
    acked = set(await uow.policy.acks(change.id))
    waiting = to_nudge(deps.directory, change, acked)
    message = messages.nudge(change, deps.directory, deps.hours.zone)
    queued = 0
    for email in waiting:
        item = OutboxItem(nudge_key(change.ref, email, week), email, message, priority=BULK)
        queued += await uow.outbox.add(item)
    if queued:
        await record(
            uow.audit,
            deps.clock.now(),
            "system",
            "policy.change_nudged",
            ("policy_change", change.ref),
            before=None,
            after={"week": week, "nudged": queued, "acknowledged": len(acked)},
        )
    return queued


async def ack_view(
    uow: UnitOfWork, deps: PolicyDeps, *, by: str, ref: str | None = None
) -> AckView:
    """Who has acknowledged a change (the latest, or `ref`), per site: every site for the
    Head of Comms and ELT, their own school(s) for a Headteacher, nothing for anyone else."""
    site_ids = ack_sites(deps.directory, by)
    if site_ids is None:
        raise NotAllowed(VIEW_REFUSAL)
    async with uow:
        change = await (uow.policy.change(ref) if ref else uow.policy.latest_change())
        if change is None or change.id is None:
            raise NotFound(
                f"There is no policy change {ref}." if ref else "No change has been announced yet."
            )
        acks = await uow.policy.acks(change.id)
    return AckView(change, site_acks(deps.directory, change, set(acks), site_ids), acks)
