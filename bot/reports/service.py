# Misuse report use cases: submit, acknowledge, note, close, hand over, and deadline nudges.
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.abuse.service import AbuseDeps, log_report
from bot.audit import audit_change
from bot.clock import Clock
from bot.directory import Directory, Person
from bot.errors import AlreadyDone, NotAllowed, NotFound
from bot.outbox import URGENT, OutboxItem
from bot.ports import UnitOfWork
from bot.reports import messages
from bot.reports.form import ReportInput
from bot.reports.model import (
    ACTING_ROLES,
    Category,
    MisuseReport,
    Note,
    Outcome,
    Recipient,
    RecipientRole,
    Status,
)
from bot.reports.routing import leads_at, next_level, route_report
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportDeps:
    """What the report flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours
    ack_hours: float


@dataclass(frozen=True)
class Submitted:
    report: MisuseReport
    sent_to: str
    created: bool


async def submit(
    uow: UnitOfWork, deps: ReportDeps, *, reporter: str, data: ReportInput, source_key: str
) -> Submitted:
    """Record a report, its audit event and every message it must send, in one transaction.
    The same `source_key` (a resubmitted form) returns the first report and changes nothing."""
    async with uow:
        existing = await uow.reports.by_source_key(source_key)
        if existing is not None:
            return Submitted(
                existing, messages.describe_recipients(existing, deps.directory), created=False
            )
        route = route_report(
            deps.directory,
            reporter=reporter,
            site_id=data.site_id,
            category=data.category,
            subject_staff=data.subject_staff,
            safeguarding=data.safeguarding,
            on_school_device=data.on_school_device,
        )
        now = deps.clock.now()
        report = MisuseReport(
            ref=await uow.reports.next_ref(now.year),
            reporter=reporter,
            site_id=data.site_id,
            category=data.category,
            description=data.description,
            happened_on=data.happened_on,
            created_at=now,
            ack_due_at=deps.hours.add(now, deps.ack_hours),
            platform=data.platform,
            subject_staff=data.subject_staff,
            subject_name=data.subject_name,
            links=data.links,
            safeguarding=data.safeguarding,
            on_school_device=data.on_school_device,
            procedure=route.procedure,
            restricted=route.restricted,
            lead_level=route.lead_level,
            recipients=list(route.recipients),
        )
        await uow.reports.add(report, source_key=source_key)
        await audit_change(
            uow.audit,
            deps.clock.now(),
            reporter,
            "report.submitted",
            report,
            before=None,
            detail={"routing_notes": list(route.notes)},
        )
        zone = deps.hours.zone
        for recipient in report.active(*ACTING_ROLES):
            await uow.outbox.add(
                OutboxItem(
                    key=f"report:{report.ref}:card:{recipient.email}:v1",
                    priority=URGENT,
                    recipient=recipient.email,
                    message=messages.report_card(report, deps.directory, zone),
                    thread=messages.card_thread(report.ref, recipient.email),
                )
            )
        for recipient in report.active(RecipientRole.IT):
            await uow.outbox.add(
                OutboxItem(
                    key=f"report:{report.ref}:it:{recipient.email}",
                    priority=URGENT,
                    recipient=recipient.email,
                    message=messages.it_notice(report, deps.directory),
                )
            )
        if report.category is Category.ABUSIVE_COMMENT:  # M7: the abuse log keeps it too
            await log_report(uow, AbuseDeps(deps.directory, deps.clock, deps.hours), report)
        sent_to = messages.describe_recipients(report, deps.directory)
        await uow.outbox.add(
            OutboxItem(
                key=f"report:{report.ref}:receipt",
                recipient=reporter,
                message=messages.receipt(report, deps.directory, sent_to=sent_to),
            )
        )
        await uow.commit()
    log.info(
        "report %s recorded (site=%s, recipients=%d)",
        report.ref,
        report.site_id,
        len(report.recipients),
    )
    return Submitted(report, sent_to, created=True)


async def acknowledge(uow: UnitOfWork, deps: ReportDeps, *, ref: str, actor: str) -> MisuseReport:
    """Acknowledge a report; a second click changes nothing and raises AlreadyDone."""
    async with uow:
        report = await _for_action(uow, deps, ref, actor)
        if report.status is not Status.OPEN:
            raise AlreadyDone(
                f"{ref} was already acknowledged by "
                f"{deps.directory.display_name(report.acknowledged_by or '')}."
            )
        before = report.state()
        report.status = Status.ACKNOWLEDGED
        report.acknowledged_at, report.acknowledged_by = deps.clock.now(), actor
        await _changed(uow, deps, actor, "report.acknowledged", report, before)
        await uow.outbox.add(
            OutboxItem(
                key=f"report:{ref}:acknowledged",
                recipient=report.reporter,
                message=messages.reporter_update(report),
            )
        )
        await uow.commit()
    return report


async def add_note(
    uow: UnitOfWork, deps: ReportDeps, *, ref: str, actor: str, text: str, source_key: str
) -> MisuseReport:
    """Add a note to an open report. A resubmitted form (the same author and text as the last
    note) adds nothing; `source_key` is kept in the audit trail."""
    async with uow:
        report = await _for_action(uow, deps, ref, actor)
        if any(n.author == actor and n.text == text for n in report.notes[-1:]):
            return report
        before = report.state()
        report.notes.append(Note(actor, text, deps.clock.now()))
        await _changed(
            uow, deps, actor, "report.note_added", report, before, detail={"source": source_key}
        )
        await uow.commit()
    return report


async def close(
    uow: UnitOfWork, deps: ReportDeps, *, ref: str, actor: str, outcome: Outcome, summary: str
) -> MisuseReport:
    """Close a report with its outcome and tell the reporter; closing twice changes nothing."""
    async with uow:
        report = await _for_action(uow, deps, ref, actor)
        before = report.state()
        now = deps.clock.now()
        if report.status is Status.OPEN:
            report.acknowledged_at, report.acknowledged_by = now, actor
        report.status = Status.CLOSED
        report.closed_at, report.closed_by = now, actor
        report.outcome, report.outcome_summary = outcome, summary
        await _changed(
            uow, deps, actor, "report.closed", report, before, detail={"outcome": outcome.value}
        )
        await uow.outbox.add(
            OutboxItem(
                key=f"report:{ref}:closed",
                recipient=report.reporter,
                message=messages.reporter_update(report),
            )
        )
        await uow.commit()
    return report


def handover_candidates(report: MisuseReport, actor: str, directory: Directory) -> list[Person]:
    """Colleagues who hold the same role as the actor holds on this report."""
    mine = report.recipient(actor)
    if mine is None:
        return []
    barred = {report.reporter, report.subject_staff, *(r.email for r in report.active())}
    emails = directory.holders(mine.as_role)
    people = [directory.person(e) for e in emails if e not in barred]
    return sorted((p for p in people if p is not None), key=lambda p: p.name)


async def hand_over(
    uow: UnitOfWork, deps: ReportDeps, *, ref: str, actor: str, to: str
) -> MisuseReport:
    """Pass the actor's place on a report to a colleague holding the same role."""
    async with uow:
        report = await _for_action(uow, deps, ref, actor)
        if to not in {p.email for p in handover_candidates(report, actor, deps.directory)}:
            raise NotAllowed(
                "You can only hand over to a colleague who holds the same role "
                "and is not involved in the report."
            )
        before = report.state()
        mine = report.recipient(actor)
        assert mine is not None
        mine.active = False
        report.recipients.append(Recipient(to, mine.role, mine.as_role, None, "handed_over"))
        await _changed(
            uow, deps, actor, "report.handed_over", report, before, detail={"from": actor, "to": to}
        )
        await uow.outbox.add(
            OutboxItem(
                key=f"report:{ref}:card:{actor}:handed:{report.version}",
                priority=URGENT,
                recipient=actor,
                message=messages.handed_over_card(report, to, deps.directory),
                thread=messages.card_thread(ref, actor),
                replace=True,
            )
        )
        await uow.commit()
    return report


async def view(uow: UnitOfWork, deps: ReportDeps, *, ref: str, viewer: str) -> MisuseReport:
    """A report, for someone who may act on it now."""
    async with uow:
        return await _for_action(uow, deps, ref, viewer, for_update=False)


async def process_deadlines(uow: UnitOfWork, deps: ReportDeps) -> int:
    """Nudge leads whose report waits past its deadline, then escalate one level up.
    Each step is recorded on the report, so a step runs once however often this runs."""
    done = 0
    now = deps.clock.now()
    async with uow:
        for report in await uow.reports.due_for_nudge(now):
            log.info("report %s not acknowledged by its deadline: nudging", report.ref)
            report.nudged_at = now
            report.escalate_due_at = deps.hours.add(report.ack_due_at, deps.ack_hours)
            for lead in report.active(RecipientRole.LEAD):
                await uow.outbox.add(
                    OutboxItem(
                        key=f"report:{report.ref}:nudge:{lead.email}",
                        priority=URGENT,
                        recipient=lead.email,
                        message=messages.nudge(report, deps.directory, deps.hours.zone),
                    )
                )
            await uow.reports.save(report)
            await audit_change(
                uow.audit,
                deps.clock.now(),
                "system",
                "report.nudged",
                report,
                before=report.state(),
            )
            done += 1
        for report in await uow.reports.due_for_escalation(now):
            await _escalate(uow, deps, report)
            done += 1
        await uow.commit()
    return done


async def _escalate(uow: UnitOfWork, deps: ReportDeps, report: MisuseReport) -> None:
    before = report.state()
    report.escalated_at = deps.clock.now()
    site = deps.directory.site(report.site_id)
    excluded = {report.reporter, *([report.subject_staff] if report.subject_staff else [])}
    level = next_level(deps.directory, site, report.lead_level, excluded) if site else None
    if level is not None:
        taken = {r.email for r in report.active()}
        for email in leads_at(deps.directory, site, level, excluded):
            if email not in taken:
                report.recipients.append(
                    Recipient(email, RecipientRole.LEAD, level, None, "escalated")
                )
        report.lead_level = level
    log.info("report %s escalated to %s", report.ref, level or "nobody higher: reminding")
    await _changed(uow, deps, "system", "report.escalated", report, before, detail={"level": level})


async def _for_action(
    uow: UnitOfWork, deps: ReportDeps, ref: str, actor: str, *, for_update: bool = True
) -> MisuseReport:
    """Load a report for someone who may act on it now; the directory is asked every time."""
    report = await uow.reports.get(ref, for_update=for_update)
    if report is None or report.is_about(actor):
        raise NotFound(f"I can't find a report {ref} that you can see.")
    mine = report.recipient(actor)
    if mine is None or mine.role not in ACTING_ROLES:
        raise NotAllowed(f"Only the people {ref} was sent to can act on it.")
    if not deps.directory.holds(actor, mine.as_role, mine.site_id):
        raise NotAllowed(
            f"You no longer hold the role {ref} was sent to you for, so you "
            "can't act on it. Please ask the Headteacher or ELT."
        )
    if report.status is Status.CLOSED:
        raise AlreadyDone(f"{ref} is closed already.")
    return report


async def _changed(
    uow: UnitOfWork,
    deps: ReportDeps,
    actor: str,
    action: str,
    report: MisuseReport,
    before: dict[str, object],
    *,
    detail: Mapping[str, object] | None = None,
) -> None:
    """Save a changed report, audit it and refresh every current card in place (a person
    who has no card yet, such as a colleague it was handed to, gets a new one)."""
    report.version += 1
    await uow.reports.save(report)
    await audit_change(
        uow.audit, deps.clock.now(), actor, action, report, before=before, detail=dict(detail or {})
    )
    card = messages.report_card(report, deps.directory, deps.hours.zone)
    for recipient in report.active(*ACTING_ROLES):
        thread = messages.card_thread(report.ref, recipient.email)
        await uow.outbox.add(
            OutboxItem.card(thread, report.version, recipient.email, card, priority=URGENT)
        )


async def for_home(
    uow: UnitOfWork, deps: ReportDeps, *, email: str
) -> tuple[list[MisuseReport], list[MisuseReport]]:
    """Reports waiting for this person (that they may still act on), and those they made."""
    async with uow:
        waiting = [
            r
            for r in await uow.reports.waiting_for(email)
            if not r.is_about(email) and _may_act(r, email, deps.directory)
        ]
        return waiting, await uow.reports.made_by(email)


def may_view(report: MisuseReport, email: str, directory: Directory) -> bool:
    """Whether this person may see the report in full: someone it was sent to, to act on, who
    still holds that role; never the member of staff it is about."""
    return not report.is_about(email) and _may_act(report, email, directory)


def _may_act(report: MisuseReport, email: str, directory: Directory) -> bool:
    mine = report.recipient(email)
    return bool(
        mine and mine.role in ACTING_ROLES and directory.holds(email, mine.as_role, mine.site_id)
    )
