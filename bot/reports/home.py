# What a person's home page shows of misuse reports: those waiting for them, those they made.
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.directory import Directory
from bot.messages import Message, Section
from bot.reports import messages
from bot.reports.model import CATEGORY_LABELS, MisuseReport, RecipientRole


def home_messages(
    directory: Directory,
    zone: ZoneInfo,
    *,
    waiting: list[MisuseReport],
    mine: list[MisuseReport],
) -> list[Message]:
    """Reports waiting for the person (with their buttons), then their own recent reports
    (status only)."""
    pages: list[Message] = []
    if waiting:
        pages.append(
            Message(
                notification="Waiting for you",
                title="Reports waiting for you",
                body=f"{len(waiting)} report(s) need you.",
            )
        )
        pages += [messages.report_card(r, directory, zone) for r in waiting]
    else:
        pages.append(
            Message(
                notification="Nothing waiting",
                title="Nothing is waiting for you",
                body="Reports sent to you will appear here.",
            )
        )
    lines = [
        f"{r.ref} · {CATEGORY_LABELS[r.category]} · {messages.STATUS_LABELS[r.status]} · "
        f"{messages.when(r.created_at, zone)}"
        for r in mine
    ]
    pages.append(
        Message(
            notification="Your reports",
            title="Reports you made",
            body=None if lines else "You haven't made any reports. Use /report-misuse to make one.",
            sections=(Section("Most recent first", "\n".join(lines)),) if lines else (),
        )
    )
    return pages


def split_safeguarding(
    waiting: list[MisuseReport], email: str
) -> tuple[list[MisuseReport], list[MisuseReport]]:
    """Reports waiting for a person, split into those they hold as a Safeguarding Lead (for the
    safeguarding queue) and the rest."""

    def held_as_lead(report: MisuseReport) -> bool:
        mine = report.recipient(email)
        return mine is not None and mine.role is RecipientRole.SAFEGUARDING

    return [r for r in waiting if not held_as_lead(r)], [r for r in waiting if held_as_lead(r)]
