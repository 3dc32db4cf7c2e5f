# What report messages say: the recipients' card, the reporter's receipts, the IT notice, nudges.
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.directory import Directory
from bot.messages import Action, Message, Section, Style
from bot.reports.model import CATEGORY_LABELS, OUTCOME_LABELS, MisuseReport, Status


class ReportAction(StrEnum):
    """Buttons on a report card; the value of each is the report's reference."""

    ACKNOWLEDGE = "report_acknowledge"
    ADD_NOTE = "report_add_note"
    CLOSE = "report_close"
    HAND_OVER = "report_hand_over"


STATUS_LABELS = {
    Status.OPEN: "Waiting for acknowledgement",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.CLOSED: "Closed",
}


def when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def card_thread(ref: str, email: str) -> str:
    return f"report:{ref}:card:{email}"


def report_card(report: MisuseReport, directory: Directory, zone: ZoneInfo) -> Message:
    """The full report, for the people who deal with it, with what they can do next."""
    site = directory.site(report.site_id)
    site_name = site.name if site else report.site_id
    facts = [
        ("Reference", report.ref),
        ("Site", site_name),
        ("Kind", CATEGORY_LABELS[report.category]),
        ("Status", STATUS_LABELS[report.status]),
    ]
    if report.procedure:
        facts.append(("Procedure", report.procedure))
    involved = [directory.display_name(report.subject_staff)] if report.subject_staff else []
    involved += [report.subject_name] if report.subject_name else []
    if involved:
        facts.append(("Involves", ", ".join(involved)))
    facts.append(("Where", report.platform or "Not given"))
    facts.append(("When", report.happened_on.strftime("%d %b %Y")))
    facts.append(("Reported by", directory.display_name(report.reporter)))
    if report.status is Status.OPEN:
        facts.append(("Acknowledge by", when(report.ack_due_at, zone)))
    sections = [Section("What happened", report.description)]
    if report.links:
        sections.append(Section("Links", report.links))
    if report.notes:
        sections.append(
            Section(
                "Notes",
                "\n".join(
                    f"{when(n.at, zone)}, {directory.display_name(n.author)}: {n.text}"
                    for n in report.notes
                ),
            )
        )
    if report.status is Status.CLOSED and report.outcome:
        sections.append(
            Section(
                f"Closed by {directory.display_name(report.closed_by or '')}",
                f"{OUTCOME_LABELS[report.outcome]}. {report.outcome_summary or ''}".strip(),
            )
        )
    return Message(
        notification=f"New misuse report {report.ref} from {site_name}",
        title=f"Misuse report {report.ref}",
        body=_banner(report),
        facts=tuple(facts),
        sections=tuple(sections),
        actions=_actions(report),
        footer="Sent to you because of your role. Please don't forward or screenshot it.",
    )


def _banner(report: MisuseReport) -> str | None:
    lines = []
    if report.restricted:
        lines.append(
            "Safeguarding concern: follow the Safeguarding & Child Protection Policy. "
            "Only the Safeguarding Lead and the lead recipient can see this report."
        )
    if report.escalated_at and report.status is Status.OPEN:
        lines.append(
            "Escalated: nobody acknowledged this report in time, so it has come to you as "
            "well. Please acknowledge it."
        )
    return "\n\n".join(lines) or None


def _actions(report: MisuseReport) -> tuple[Action, ...]:
    if report.status is Status.CLOSED:
        return ()
    actions = []
    if report.status is Status.OPEN:
        actions.append(Action(ReportAction.ACKNOWLEDGE, "Acknowledge", report.ref, Style.PRIMARY))
    actions += [
        Action(ReportAction.ADD_NOTE, "Add a note", report.ref),
        Action(ReportAction.CLOSE, "Close with an outcome", report.ref),
        Action(ReportAction.HAND_OVER, "Hand over", report.ref),
    ]
    return tuple(actions)


def handed_over_card(report: MisuseReport, to: str, directory: Directory) -> Message:
    """Replaces the card of someone who handed the report on: the details leave with it."""
    return Message(
        notification=f"Misuse report {report.ref} handed over",
        title=f"Misuse report {report.ref}",
        body=f"You handed this report over to {directory.display_name(to)}. "
        "The details are now with them.",
    )


def it_notice(report: MisuseReport, directory: Directory) -> Message:
    """Only what the IT provider needs to block a site (rule M5)."""
    site = directory.site(report.site_id)
    return Message(
        notification=f"Please block a website for {site.name if site else report.site_id}",
        title=f"Website to block ({report.ref})",
        body="Inappropriate content was reached on a school computer or the school network. "
        "Please block the site so it can't be reached again.",
        facts=(("Site", site.name if site else report.site_id), ("Reference", report.ref)),
        sections=(
            Section(
                "Links",
                report.links
                or "No link was given: please contact the school's Headteacher for details.",
            ),
        ),
    )


def receipt(report: MisuseReport, directory: Directory, *, sent_to: str) -> Message:
    """To the reporter: received, with the reference, and none of the details."""
    return Message(
        notification=f"Your report {report.ref} was received",
        title=f"Thank you: report {report.ref} received",
        body=f"It has gone to {sent_to}. You'll hear here when it is acknowledged and when it "
        "is closed. If a child is in immediate danger, speak to your Safeguarding Lead now.",
    )


def reporter_update(report: MisuseReport) -> Message:
    verb = "closed" if report.status is Status.CLOSED else "acknowledged"
    return Message(
        notification=f"Your report {report.ref} was {verb}",
        title=f"Report {report.ref} {verb}",
        body="Thank you for reporting it."
        if verb == "closed"
        else "The person dealing with it has seen it.",
    )


def nudge(report: MisuseReport, directory: Directory, zone: ZoneInfo) -> Message:
    site = directory.site(report.site_id)
    deadline = when(report.escalate_due_at or report.ack_due_at, zone)
    return Message(
        notification=f"Reminder: misuse report {report.ref} needs acknowledging",
        title=f"Reminder: {report.ref} is waiting",
        body=f"This report from {site.name if site else report.site_id} has not been "
        f"acknowledged yet. If it still isn't by {deadline}, it goes to the next level.",
        actions=(Action(ReportAction.ACKNOWLEDGE, "Acknowledge", report.ref, Style.PRIMARY),),
    )


def describe_recipients(report: MisuseReport, directory: Directory) -> str:
    """Who a report went to, in words for its reporter (roles, not names)."""
    site = directory.site(report.site_id)
    words = {
        "headteacher": f"the Headteacher of {site.name if site else report.site_id}",
        "elt": "the Executive Leadership Team",
        "board": "the Trust Board",
    }
    text = words.get(report.lead_level, report.lead_level)
    if report.safeguarding:
        text += " and the Safeguarding Lead"
    return text
