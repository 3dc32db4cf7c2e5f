# Relationship declaration use cases: declare, acknowledge, ask and reply, end, re-confirm yearly,
# the register, and the daily reminders. Only the pupil's school's Safeguarding Leads and the
# member of staff ever see a declaration.
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.audit import audit_change
from bot.clock import Clock
from bot.declarations import messages
from bot.declarations.forms import DeclarationInput, declaration_form, parse_declaration
from bot.declarations.model import Declaration, EndReason, Exchange, Mail, Status
from bot.directory import Directory
from bot.errors import AlreadyDone, FormInvalid, NotAllowed, NotFound, PolicyError
from bot.forms import Option
from bot.messages import Message
from bot.outbox import MailAddresses, OutboxItem
from bot.ports import UnitOfWork
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)
NOT_VISIBLE = "That declaration is not one you can see."
REMIND_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class DeclarationDeps:
    """What the declaration flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours
    mail_on: bool

    def today(self) -> date:
        return self.clock.now().astimezone(self.hours.zone).date()


@dataclass(frozen=True)
class Submitted:
    declaration: Declaration
    created: bool


@dataclass(frozen=True)
class Register:
    """What one person may see: as a Safeguarding Lead, the declarations of their sites (those
    waiting, those not re-confirmed, all in force); as a member of staff, their own."""

    waiting: list[Declaration]
    overdue: list[Declaration]
    in_force: list[Declaration]
    own: list[Declaration]
    is_lead: bool
    mail_failed: frozenset[str] = frozenset()  # refs whose e-mail could not be delivered


def leads_for(directory: Directory, site_id: str, declarer: str) -> tuple[str, ...]:
    """Who receives a declaration about a pupil of `site_id`: its Safeguarding Leads, or the
    Support Hub's when the member of staff is the site's only one. Never the declarer."""
    for site in (directory.site(site_id), directory.hub()):
        if site is None:
            continue
        leads = tuple(e for e in site.safeguarding_leads if e != declarer)
        if leads:
            return leads
    return ()


def may_see(directory: Directory, declaration: Declaration, email: str) -> bool:
    """The member of staff, and whoever is the pupil's school's Safeguarding Lead now."""
    return email == declaration.declarer or email in leads_for(
        directory, declaration.site_id, declaration.declarer
    )


def sites_to_see(directory: Directory, email: str) -> list[str]:
    """The sites whose declarations the person may see as a lead, their own aside: where they
    are a Safeguarding Lead, and every site for the Support Hub's leads (who stand in for a
    site's only lead). Narrows a query; `may_see` decides."""
    hub = directory.hub()
    if hub is not None and email in hub.safeguarding_leads:
        return [s.id for s in directory.sites]
    return _lead_sites(directory, email)


def _lead_sites(directory: Directory, email: str) -> list[str]:
    return [s.id for s in directory.sites if email in s.safeguarding_leads]


async def pupil_options(
    uow: UnitOfWork, deps: DeclarationDeps, *, email: str, query: str
) -> list[Option]:
    """Pupils of the person's own schools, searched by name in the consent register."""
    site_ids = [s.id for s in deps.directory.sites_of(email) if s.kind == "school"]
    if not site_ids or not query.strip():
        return []
    async with uow:
        found = await uow.pupils.search(site_ids, query, 50)
    names = {s.id: s.name for s in deps.directory.sites}
    return [
        Option(str(p.id), " · ".join(x for x in (p.full_name, p.year_group, names[p.site_id]) if x))
        for p in found
    ]


async def submit(
    uow: UnitOfWork,
    deps: DeclarationDeps,
    *,
    declarer: str,
    values: Mapping[str, object],
    source_key: str,
) -> Submitted:
    """Record a declaration and queue its cards and e-mail in one transaction. The same
    `source_key` (a resubmitted form) returns the first declaration and changes nothing."""
    directory = deps.directory
    data = parse_declaration(declaration_form(directory, declarer), values, deps.today())
    async with uow:
        existing = await uow.declarations.by_source_key(source_key)
        if existing is not None:
            return Submitted(existing, created=False)
        pupil_id, pupil_name, site_id = await _pupil(uow, directory, declarer, data)
        leads = leads_for(directory, site_id, declarer)
        if not leads:
            raise PolicyError(
                "The directory names no Safeguarding Lead who could receive this. Please tell "
                "your Safeguarding Lead in person, and ask IT to add one to the directory."
            )
        now = deps.clock.now()
        declaration = Declaration(
            ref=await uow.declarations.next_ref(now.year),
            declarer=declarer,
            site_id=site_id,
            pupil_id=pupil_id,
            pupil_name=pupil_name,
            relationship=data.relationship,
            description=data.description,
            platforms=data.platforms,
            since=data.since,
            note=data.note,
            created_at=now,
            confirmed_on=deps.today(),
            leads=leads,
            mail=Mail.QUEUED if deps.mail_on else Mail.NOT_CONFIGURED,
        )
        await uow.declarations.add(declaration, source_key=source_key)
        await audit_change(
            uow.audit, deps.clock.now(), declarer, "declaration.submitted", declaration, before=None
        )
        await _cards(uow, deps, declaration)
        if deps.mail_on:
            await uow.outbox.add(
                OutboxItem.email(
                    mail_key(declaration.ref),
                    MailAddresses(to=leads, cc=(declarer,), reply_to=declarer),
                    messages.email(declaration, directory, deps.hours.zone),
                )
            )
        await uow.commit()
    log.info("declaration %s sent to %d lead(s)", declaration.ref, len(leads))
    return Submitted(declaration, created=True)


async def _pupil(
    uow: UnitOfWork, directory: Directory, declarer: str, data: DeclarationInput
) -> tuple[int | None, str, str]:
    """The pupil's id (when on the register), name and site."""
    if data.pupil_id is None:
        site = directory.site(data.site_id or "")
        if site is None or site.kind != "school":
            raise FormInvalid({"pupil_site": "Please choose one of the Trust's schools."})
        return None, data.pupil_name or "", site.id
    pupil = await uow.pupils.get(data.pupil_id)
    own = {s.id for s in directory.sites_of(declarer)}
    if pupil is None or pupil.site_id not in own:
        raise FormInvalid({"declaration_pupil": "Please pick the pupil from the list again."})
    return pupil.id, pupil.full_name, pupil.site_id


async def acknowledge(uow: UnitOfWork, deps: DeclarationDeps, *, ref: str, by: str) -> Declaration:
    """A Safeguarding Lead acknowledges; a second click says who already did."""
    async with uow:
        declaration = await _for_lead(uow, deps, ref, by)
        if declaration.status is not Status.OPEN:
            who = deps.directory.display_name(declaration.acknowledged_by or "")
            raise AlreadyDone(
                f"{ref} was already acknowledged by {who}."
                if declaration.status is Status.ACKNOWLEDGED
                else f"{ref} has ended."
            )
        before = declaration.state()
        declaration.status = Status.ACKNOWLEDGED
        declaration.acknowledged_by = by
        declaration.acknowledged_at = deps.clock.now()
        await _changed(uow, deps, by, "declaration.acknowledged", declaration, before)
        await uow.outbox.add(
            OutboxItem(
                key=f"declaration:{ref}:acknowledged",
                recipient=declaration.declarer,
                message=messages.acknowledged(declaration, deps.directory),
            )
        )
        await uow.commit()
    return declaration


async def check_may_ask(
    uow: UnitOfWork, deps: DeclarationDeps, *, ref: str, by: str, reply: bool
) -> None:
    """Before a question or reply form opens: may this person write one now?"""
    async with uow:
        if reply:
            await _for_declarer(uow, deps, ref, by, for_update=False)
        else:
            await _for_lead(uow, deps, ref, by, for_update=False)


async def ask(
    uow: UnitOfWork, deps: DeclarationDeps, *, ref: str, by: str, text: str, reply: bool
) -> Declaration:
    """A Safeguarding Lead's question (to the member of staff) or the member of staff's reply
    (to the Safeguarding Leads). The same text sent twice in a row is kept once."""
    async with uow:
        if reply:
            declaration = await _for_declarer(uow, deps, ref, by)
        else:
            declaration = await _for_lead(uow, deps, ref, by)
        if not declaration.active:
            raise NotAllowed(f"{ref} has ended.")
        kind = "answer" if reply else "question"
        last = declaration.exchanges[-1] if declaration.exchanges else None
        if last and (last.by, last.kind, last.text) == (by, kind, text):
            return declaration
        before = declaration.state()
        declaration.exchanges.append(Exchange(deps.clock.now(), by, kind, text))
        number = len(declaration.exchanges)
        await _changed(uow, deps, by, f"declaration.{kind}", declaration, before)
        if reply:
            message = messages.reply(declaration, text, deps.directory)
            recipients = leads_for(deps.directory, declaration.site_id, declaration.declarer)
        else:
            message = messages.question(declaration, by, text, deps.directory)
            recipients = (declaration.declarer,)
        for email in recipients:
            await uow.outbox.add(
                OutboxItem(f"declaration:{ref}:{kind}:{number}:{email}", email, message)
            )
        await uow.commit()
    return declaration


async def check_may_end(uow: UnitOfWork, deps: DeclarationDeps, *, ref: str, by: str) -> None:
    """Before the end form opens: the member of staff or a Safeguarding Lead, while in force."""
    async with uow:
        declaration = await _visible(uow, deps, ref, by, for_update=False)
        if not declaration.active:
            raise AlreadyDone(f"{ref} has already ended.")


async def end(
    uow: UnitOfWork,
    deps: DeclarationDeps,
    *,
    ref: str,
    by: str,
    reason: EndReason,
    note: str | None,
) -> Declaration:
    """End a declaration (the pupil left, the connection was removed); it stays on record."""
    async with uow:
        declaration = await _visible(uow, deps, ref, by)
        if not declaration.active:
            raise AlreadyDone(f"{ref} has already ended.")
        before = declaration.state()
        declaration.status = Status.ENDED
        declaration.ended_by, declaration.ended_at = by, deps.clock.now()
        declaration.end_reason, declaration.end_note = reason, note
        await _changed(uow, deps, by, "declaration.ended", declaration, before)
        message = messages.ended(declaration, deps.directory)
        for email in {declaration.declarer, *_current_leads(deps, declaration)} - {by}:
            await uow.outbox.add(OutboxItem(f"declaration:{ref}:ended:{email}", email, message))
        await uow.commit()
    return declaration


async def confirm(uow: UnitOfWork, deps: DeclarationDeps, *, ref: str, by: str) -> Declaration:
    """The member of staff says it is still true: the next re-confirmation is a year away."""
    async with uow:
        declaration = await _for_declarer(uow, deps, ref, by)
        if not declaration.active:
            raise NotAllowed(f"{ref} has ended, so there is nothing to confirm.")
        if declaration.confirmed_on == deps.today():
            return declaration
        before = declaration.state()
        declaration.confirmed_on = deps.today()
        declaration.nudged_on = None
        await _changed(uow, deps, by, "declaration.confirmed", declaration, before)
        await uow.commit()
    return declaration


async def register_for(
    uow: UnitOfWork, deps: DeclarationDeps, *, email: str, include_ended: bool = False
) -> Register:
    """What this person may see of the register, and nothing else."""
    directory, today = deps.directory, deps.today()
    async with uow:
        sites = _lead_sites(directory, email)
        led = await uow.declarations.at_sites(sites, include_ended=include_ended) if sites else []
        fallback = [d for d in await uow.declarations.sent_to(email) if d.site_id not in sites]
        own = await uow.declarations.made_by(email, include_ended=include_ended)
        led = [d for d in led + fallback if may_see(directory, d, email) and d.declarer != email]
        mailed = [d.ref for d in led + own if d.mail is Mail.QUEUED]
        states = await uow.outbox.deliveries([mail_key(ref) for ref in mailed])
        failed = frozenset(
            ref for ref in mailed if (s := states.get(mail_key(ref))) and s.status == "dead"
        )
    return Register(
        waiting=[d for d in led if d.status is Status.OPEN],
        overdue=[d for d in led if d.overdue(today)],
        in_force=[d for d in led if d.active or include_ended],
        own=own,
        is_lead=bool(sites) or any(d.site_id not in sites for d in led),
        mail_failed=failed,
    )


def mail_key(ref: str) -> str:
    return f"declaration:{ref}:email"


async def send_reminders(uow: UnitOfWork, deps: DeclarationDeps) -> int:
    """On working days, in working hours: remind the Safeguarding Leads of declarations nobody
    has acknowledged (daily, from the day after), and members of staff whose declaration is
    due for its yearly re-confirmation (weekly). Each reminder is keyed by day: never twice."""
    if not deps.hours.is_working(deps.clock.now()):
        return 0
    today = deps.today()
    reminded = 0
    async with uow:
        for declaration in await uow.declarations.due_for_nudge(today):
            items = _reminders(deps, declaration, today)
            if not items:
                continue
            before = declaration.state()
            for item in items:
                await uow.outbox.add(item)
            declaration.nudged_on = today
            await uow.declarations.save(declaration)
            await audit_change(
                uow.audit,
                deps.clock.now(),
                "system",
                "declaration.reminded",
                declaration,
                before=before,
            )
            reminded += 1
        await uow.commit()
    if reminded:
        log.info("%d declaration reminder(s) queued", reminded)
    return reminded


def _reminders(deps: DeclarationDeps, declaration: Declaration, today: date) -> list[OutboxItem]:
    ref, directory = declaration.ref, deps.directory
    if declaration.status is Status.OPEN:
        if declaration.created_at.astimezone(deps.hours.zone).date() >= today:
            return []
        message = messages.acknowledge_reminder(declaration, directory)
        return [
            OutboxItem(f"declaration:{ref}:ack-reminder:{email}:{today}", email, message)
            for email in _current_leads(deps, declaration)
        ]
    last = declaration.nudged_on
    if last is not None and last >= declaration.confirm_due and today - last < REMIND_EVERY:
        return []
    return [
        OutboxItem(
            f"declaration:{ref}:confirm-reminder:{today}",
            declaration.declarer,
            messages.confirm_reminder(declaration, directory),
        )
    ]


async def _visible(
    uow: UnitOfWork, deps: DeclarationDeps, ref: str, email: str, *, for_update: bool = True
) -> Declaration:
    declaration = await uow.declarations.get(ref, for_update=for_update)
    if declaration is None:
        raise NotFound(f"There is no declaration {ref}.")
    if not may_see(deps.directory, declaration, email):
        log.warning("declaration %s refused to a person who may not see it", ref)
        raise NotAllowed(NOT_VISIBLE)
    return declaration


async def _for_lead(
    uow: UnitOfWork, deps: DeclarationDeps, ref: str, email: str, *, for_update: bool = True
) -> Declaration:
    declaration = await _visible(uow, deps, ref, email, for_update=for_update)
    if email not in _current_leads(deps, declaration):
        raise NotAllowed("Only the pupil's school's Safeguarding Leads can do that.")
    return declaration


async def _for_declarer(
    uow: UnitOfWork, deps: DeclarationDeps, ref: str, email: str, *, for_update: bool = True
) -> Declaration:
    declaration = await _visible(uow, deps, ref, email, for_update=for_update)
    if email != declaration.declarer:
        raise NotAllowed("Only the member of staff who made the declaration can do that.")
    return declaration


def _current_leads(deps: DeclarationDeps, declaration: Declaration) -> tuple[str, ...]:
    return leads_for(deps.directory, declaration.site_id, declaration.declarer)


async def _changed(
    uow: UnitOfWork,
    deps: DeclarationDeps,
    actor: str,
    action: str,
    declaration: Declaration,
    before: dict[str, Any],
) -> None:
    """Save a change, audit it, and update everyone's card in place."""
    declaration.revision += 1
    await uow.declarations.save(declaration)
    await audit_change(uow.audit, deps.clock.now(), actor, action, declaration, before=before)
    await _cards(uow, deps, declaration)


async def _cards(uow: UnitOfWork, deps: DeclarationDeps, declaration: Declaration) -> None:
    zone, directory = deps.hours.zone, deps.directory
    cards: list[tuple[str, Message]] = [
        (email, messages.lead_card(declaration, directory, zone))
        for email in _current_leads(deps, declaration)
    ]
    cards.append((declaration.declarer, messages.declarer_card(declaration, directory, zone)))
    for email, message in cards:
        thread = messages.card_thread(declaration.ref, email)
        await uow.outbox.add(OutboxItem.card(thread, declaration.revision, email, message))
