# The weekly training nudges and the Headteachers' digest of who is overdue (rule T1).
from __future__ import annotations

import logging

from bot.audit import AuditEvent
from bot.outbox import BULK, OutboxItem
from bot.ports import UnitOfWork
from bot.training import messages
from bot.training.messages import Overdue
from bot.training.model import (
    ESCALATE_AFTER,
    NudgeState,
    TrainingStatus,
    escalation_to,
    in_scope,
    may_nudge,
    monday_of,
    week_of,
)
from bot.training.service import TrainingDeps, nudge_event

log = logging.getLogger(__name__)


async def send_nudges(uow: UnitOfWork, deps: TrainingDeps) -> int:
    """Run at every scheduler tick. On working days, in working hours and in term time, nudge
    everyone who is due and was not nudged this ISO week, and after a third nudge send the
    site's Headteachers (the ELT for the hub) a digest, once per site per week. Nothing
    happens while the register is empty (a new installation, before the first import or
    record), so staff are not all told they were never trained before their records are in.
    Returns how many people were nudged."""
    now, directory = deps.clock.now(), deps.directory
    if not may_nudge(now, deps.hours, directory):
        return 0
    scope = in_scope(directory)
    today = deps.today()
    async with uow:
        if not scope or not await uow.training.any_records():
            return 0
        latest = await uow.training.latest_days()
        campaigns = await uow.training.campaigns()
        due = {e: deps.status(e, latest.get(e), campaigns) for e in scope}
        due = {e: status for e, status in due.items() if status.due}
        if not due:
            return 0
        states = await uow.training.to_nudge(sorted(due), monday_of(today))
        if not states:
            return 0
        week = week_of(today)
        events = []
        for state in states:
            after = NudgeState(state.email, state.nudges + 1, today)
            message = messages.nudge(due[state.email], after.nudges)
            await uow.outbox.add(
                OutboxItem(
                    f"training:nudge:{state.email}:{week}", state.email, message, priority=BULK
                )
            )
            events.append(nudge_event(now, "system", state, after, detail={"week": week}))
            state.nudges, state.last_nudged_on = after.nudges, today
        await uow.training.save_states(states)
        await uow.audit.append_many(events)
        escalated = {
            s for state in states if state.nudges >= ESCALATE_AFTER for s in scope[state.email]
        }
        digests = await _digests(uow, deps, sorted(escalated), due, week)
        await uow.commit()
    log.info("training: %d nudge(s), %d site digest(s) queued", len(states), digests)
    return len(states)


async def _digests(
    uow: UnitOfWork,
    deps: TrainingDeps,
    site_ids: list[str],
    due: dict[str, TrainingStatus],
    week: str,
) -> int:
    """One digest per site and week: everyone at the site who is due and was nudged at least
    ESCALATE_AFTER times."""
    directory, sent = deps.directory, 0
    for site_id in site_ids:
        site = directory.site(site_id)
        if site is None:
            continue
        members = [e for e in site.members if e in due]
        states = await uow.training.states(members)
        overdue = [
            Overdue(e, due[e], states[e].nudges)
            for e in members
            if e in states and states[e].nudges >= ESCALATE_AFTER
        ]
        if not overdue:
            continue
        message = messages.digest(site, overdue, directory)
        queued = [
            await uow.outbox.add(
                OutboxItem(f"training:digest:{site_id}:{week}:{to}", to, message, priority=BULK)
            )
            for to in escalation_to(directory, site)
        ]
        if any(queued):
            await uow.audit.append(
                AuditEvent(
                    at=deps.clock.now(),
                    actor="system",
                    action="training.digest",
                    record_type="site",
                    record_id=site_id,
                    after={"week": week, "overdue": len(overdue)},
                )
            )
            sent += 1
    return sent
