# What a person's home page shows of safeguarding: a Safeguarding Lead's queue (declarations to
# acknowledge and safeguarding reports waiting, with their buttons; who has not re-confirmed),
# and a member of staff's own declarations.
from __future__ import annotations

from datetime import date

from bot.declarations import messages, service
from bot.declarations.model import Declaration
from bot.declarations.service import DeclarationDeps, Register
from bot.directory import Directory
from bot.messages import Message, Section
from bot.services import Services

SHOWN = 10


async def home_pages(
    services: Services, email: str, *, safeguarding_reports: list[Message]
) -> list[Message]:
    """The Safeguarding Lead's queue (nothing for others unless a safeguarding report waits for
    them), then the person's own declarations."""
    deps = services.declaration_deps()
    register = await service.register_for(services.uow(), deps, email=email)
    pages: list[Message] = []
    if register.is_lead or safeguarding_reports:
        pages += _queue_pages(register, deps, safeguarding_reports)
    if register.own:
        pages += _own_pages(register, deps)
    return pages


def _queue_pages(
    register: Register, deps: DeclarationDeps, safeguarding_reports: list[Message]
) -> list[Message]:
    directory, zone, today = deps.directory, deps.hours.zone, deps.today()
    waiting = register.waiting
    body = (
        f"{len(waiting)} declaration(s) to acknowledge, "
        f"{len(safeguarding_reports)} safeguarding report(s) waiting."
        if waiting or safeguarding_reports
        else "Nothing is waiting. Declarations and safeguarding reports will appear here."
    )
    pages = [Message(notification="Safeguarding queue", title="Safeguarding queue", body=body)]
    pages += [messages.lead_card(d, directory, zone) for d in waiting[:SHOWN]]
    pages += safeguarding_reports
    if register.overdue:
        lines = [_line(register, d, directory, today) for d in register.overdue]
        pages.append(
            Message(
                notification="Not re-confirmed",
                title="Declarations not re-confirmed this year",
                body="These members of staff have been reminded each week.",
                sections=(Section("Oldest first", "\n".join(reversed(lines))),),
            )
        )
    in_force = len([d for d in register.in_force if d.active])
    pages.append(
        Message(
            notification="Register",
            title=f"The register: {in_force} declaration(s) in force",
            body="Type /declare-relationship list to see it.",
        )
    )
    return pages


def _own_pages(register: Register, deps: DeclarationDeps) -> list[Message]:
    directory, today = deps.directory, deps.today()
    lines = [_line(register, d, directory, today) for d in register.own]
    pages = [
        Message(
            notification="Your declarations",
            title="Your declarations",
            sections=(Section("Most recent first", "\n".join(lines)),),
        )
    ]
    pages += [messages.confirm_reminder(d, directory) for d in register.own if d.overdue(today)][
        :SHOWN
    ]
    return pages


def register_messages(register: Register, directory: Directory, today: date) -> list[Message]:
    """The register as a person may see it: for a Safeguarding Lead, their sites' declarations
    by state; for everyone, their own."""
    pages: list[Message] = []
    if register.is_lead:
        groups = (
            ("Waiting for acknowledgement", register.waiting),
            ("Not re-confirmed this year", register.overdue),
            ("All in force, newest first", [d for d in register.in_force if d.active]),
            ("Ended", [d for d in register.in_force if not d.active]),
        )
        sections = [
            Section(f"{title} ({len(found)})", "\n".join(chunk))
            for title, found in groups
            if found
            for chunk in _chunks([_line(register, d, directory, today) for d in found])
        ]
        pages.append(
            Message(
                notification="Register of declarations",
                title="Register of relationship declarations",
                body=None if sections else "No declarations about your school's pupils.",
                sections=tuple(sections),
                footer="Only the Safeguarding Leads of each pupil's school see these.",
            )
        )
    own = [_line(register, d, directory, today) for d in register.own]
    pages.append(
        Message(
            notification="Your declarations",
            title="Your declarations",
            body=None if own else "You have not made any. /declare-relationship makes one.",
            sections=tuple(Section("Most recent first", "\n".join(c)) for c in _chunks(own)),
        )
    )
    return pages


def _line(register: Register, declaration: Declaration, directory: Directory, today: date) -> str:
    failed = declaration.ref in register.mail_failed
    return messages.register_line(declaration, directory, today, mail_failed=failed)


def _chunks(lines: list[str], size: int = 20) -> list[list[str]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)]
