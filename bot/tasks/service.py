# Task use cases: take-down tasks after a consent withdrawal, consent-at-18 tasks, daily
# reminders, and closing a task (done, or not practicable with a reason).
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.audit import audit_change
from bot.clock import Clock
from bot.consent.model import Media, Pupil, Scope, use_key
from bot.directory import Directory
from bot.errors import AlreadyDone, NotAllowed, NotFound
from bot.outbox import OutboxItem
from bot.ports import UnitOfWork
from bot.tasks import messages
from bot.tasks.model import Exposure, Task, TaskKind, TaskStatus, at18_assignees
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskDeps:
    """What the task flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours

    def today(self) -> date:
        return self.clock.now().astimezone(self.hours.zone).date()


@dataclass(frozen=True)
class Withdrawal:
    """A pupil's new version, and the uses it no longer allows."""

    pupil: Pupil
    uses: Sequence[tuple[Media, Scope]]
    changed_on: date


async def create_takedowns(
    uow: UnitOfWork, deps: TaskDeps, withdrawals: Sequence[Withdrawal], *, actor: str
) -> int:
    """In the caller's transaction: one task per published post that shows a pupil in a way
    their consent no longer covers, with a card to each assignee. Returns how many were new."""
    by_pupil = {w.pupil.id: w for w in withdrawals if w.uses and w.pupil.id is not None}
    if not by_pupil:
        return 0
    created = 0
    for exposure in await uow.tasks.published_showing(list(by_pupil)):  # type: ignore[arg-type]
        withdrawal = by_pupil[exposure.pupil_id]
        lost = [use for use in exposure.uses() if use in withdrawal.uses]
        if lost and await _add(uow, deps, _takedown(deps, exposure, withdrawal, lost), actor):
            created += 1
    if created:
        log.info("%d take-down task(s) created", created)
    return created


def _takedown(
    deps: TaskDeps, exposure: Exposure, withdrawal: Withdrawal, lost: list[tuple[Media, Scope]]
) -> Task:
    pupil = withdrawal.pupil
    task = Task(
        key=f"takedown:{exposure.post_ref}:{pupil.id}:{pupil.version}",
        kind=TaskKind.TAKEDOWN,
        site_id=exposure.site_id,
        assignees=[],
        created_at=deps.clock.now(),
        post_ref=exposure.post_ref,
        pupil_id=pupil.id,
        detail={
            "pupil_version": pupil.version,
            "uses": [use_key(*use) for use in lost],
            "changed_on": withdrawal.changed_on.isoformat(),
            "published_by": exposure.published_by,
            "account_id": exposure.account_id,
            "published_url": exposure.published_url,
        },
        nudged_on=deps.today(),
    )
    task.assignees = task.current_assignees(deps.directory)
    return task


async def create_at18_tasks(uow: UnitOfWork, deps: TaskDeps) -> int:
    """Once per pupil, a task for the site's office when the pupil has turned 18 (rule C2)."""
    today = deps.today()
    created = 0
    async with uow:
        for pupil in await uow.pupils.turning_18_by(today, without_task=True):
            task = Task(
                key=f"at18:{pupil.id}",
                kind=TaskKind.CONSENT_AT_18,
                site_id=pupil.site_id,
                assignees=list(at18_assignees(deps.directory, pupil.site_id)),
                created_at=deps.clock.now(),
                pupil_id=pupil.id,
                detail={"turned_18_on": pupil.birthday(18).isoformat()},
                nudged_on=today,
            )
            if await _add(uow, deps, task, "system", pupil=pupil):
                created += 1
        await uow.commit()
    return created


async def _add(
    uow: UnitOfWork, deps: TaskDeps, task: Task, actor: str, *, pupil: Pupil | None = None
) -> bool:
    """Record a task once per key, audit it, and queue its card to each assignee."""
    if not await uow.tasks.add(task):
        return False
    await audit_change(uow.audit, deps.clock.now(), actor, "task.created", task, before=None)
    if pupil is None and task.pupil_id is not None:
        pupil = await uow.pupils.get(task.pupil_id)
    card = messages.task_card(task, pupil, deps.directory, deps.hours.zone)
    for email in task.assignees:
        thread = messages.card_thread(task, email)
        await uow.outbox.add(
            OutboxItem(key=f"{thread}:v1", recipient=email, message=card, thread=thread)
        )
    return True


async def nudge_open_tasks(uow: UnitOfWork, deps: TaskDeps) -> int:
    """Remind the assignees of every open task once a day, from the start of the working day
    on working days. Returns how many tasks were nudged."""
    local = deps.clock.now().astimezone(deps.hours.zone)
    if local.weekday() not in deps.hours.days or local.time() < deps.hours.start:
        return 0
    today = local.date()
    async with uow:
        due = await uow.tasks.due_for_nudge(today)
        if not due:
            return 0
        pupils = await _pupils_of(uow, due)
        for task in due:
            before = task.state()
            pupil = pupils.get(task.pupil_id) if task.pupil_id else None
            message = messages.nudge(task, pupil, deps.directory, deps.hours.zone)
            for email in task.current_assignees(deps.directory):
                await uow.outbox.add(
                    OutboxItem(
                        key=f"task:{task.id}:nudge:{email}:{today.isoformat()}",
                        recipient=email,
                        message=message,
                    )
                )
                if email not in task.assignees:
                    task.assignees.append(email)
            task.nudged_on = today
            await uow.tasks.save(task)
            await audit_change(
                uow.audit, deps.clock.now(), "system", "task.nudged", task, before=before
            )
        await uow.commit()
    log.info("%d open task(s) nudged", len(due))
    return len(due)


async def for_closing(uow: UnitOfWork, deps: TaskDeps, *, task_id: int, viewer: str) -> Task:
    """An open task that this person may close now (before showing them a form for it)."""
    async with uow:
        return await _closable(uow, deps, task_id, viewer, for_update=False)


async def _closable(
    uow: UnitOfWork, deps: TaskDeps, task_id: int, actor: str, *, for_update: bool = True
) -> Task:
    task = await uow.tasks.get(task_id, for_update=for_update)
    if task is None:
        raise NotFound("I can't find that task.")
    if actor not in task.current_assignees(deps.directory):
        raise NotAllowed(
            "Only the people this task is for can close it: whoever published the post "
            "and the Head of Comms, or for consent at 18, the school office."
        )
    if not task.is_open:
        raise AlreadyDone(messages.already_closed(task, deps.directory, deps.hours.zone))
    return task


async def close_task(
    uow: UnitOfWork,
    deps: TaskDeps,
    *,
    task_id: int,
    actor: str,
    status: TaskStatus,
    reason: str | None = None,
) -> Task:
    """Close a task as done or not practicable (with a reason). Only someone the task is for
    now may close it; a second close changes nothing and raises AlreadyDone."""
    if status is TaskStatus.OPEN:
        raise ValueError("a task is closed as done or not practicable")
    async with uow:
        task = await _closable(uow, deps, task_id, actor)
        before = task.state()
        task.status, task.done_by, task.done_at = status, actor, deps.clock.now()
        task.reason = reason
        await uow.tasks.save(task)
        await audit_change(
            uow.audit, deps.clock.now(), actor, f"task.{status.value}", task, before=before
        )
        pupil = await uow.pupils.get(task.pupil_id) if task.pupil_id else None
        card = messages.task_card(task, pupil, deps.directory, deps.hours.zone)
        for email in task.assignees:
            thread = messages.card_thread(task, email)
            await uow.outbox.add(
                OutboxItem(
                    key=f"{thread}:closed",
                    recipient=email,
                    message=card,
                    thread=thread,
                    replace=True,
                )
            )
        await uow.commit()
    log.info("task %s closed as %s", task.id, status.value)
    return task


async def open_for(uow: UnitOfWork, deps: TaskDeps, *, email: str) -> list[tuple[Task, Pupil]]:
    """The open tasks this person may close now, with their pupils, oldest first."""
    office = [s.id for s in deps.directory.sites if email in at18_assignees(deps.directory, s.id)]
    async with uow:
        tasks = await uow.tasks.open_tasks(kinds=[TaskKind.TAKEDOWN])
        if office:
            tasks += await uow.tasks.open_tasks(kinds=[TaskKind.CONSENT_AT_18], site_ids=office)
        mine = [t for t in tasks if email in t.current_assignees(deps.directory)]
        pupils = await _pupils_of(uow, mine)
    return [(t, pupils[t.pupil_id]) for t in mine if t.pupil_id in pupils]


async def _pupils_of(uow: UnitOfWork, tasks: Sequence[Task]) -> dict[int, Pupil]:
    ids = sorted({t.pupil_id for t in tasks if t.pupil_id is not None})
    return {p.id: p for p in await uow.pupils.get_many(ids) if p.id is not None}
