# What declaration messages say: the Safeguarding Leads' card, the member of staff's card, the
# e-mail, questions and replies, and reminders. Notifications never name the pupil.
from __future__ import annotations

from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.declarations.model import END_REASON_LABELS, STATUS_LABELS, Declaration, Mail, Status
from bot.directory import Directory
from bot.messages import Action, Message, Section, Style
from bot.reports.messages import when


class DeclarationAction(StrEnum):
    """Buttons about a declaration; the value of each is its reference."""

    ACKNOWLEDGE = "declaration_acknowledge"
    ASK = "declaration_ask"
    REPLY = "declaration_reply"
    END = "declaration_end"
    CONFIRM = "declaration_confirm"


def card_thread(ref: str, email: str) -> str:
    return f"declaration:{ref}:card:{email}"


def day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "Not given"


def _site_name(directory: Directory, site_id: str) -> str:
    site = directory.site(site_id)
    return site.name if site else site_id


def mail_line(declaration: Declaration, directory: Directory) -> str:
    """Where the e-mail the policy asks for went, as the cards say it."""
    if declaration.mail is Mail.NOT_CONFIGURED:
        return "Not sent: e-mail is not set up for policybot (this chat record is kept)"
    leads = ", ".join(declaration.leads)
    return f"Sent to {leads}, copy to {declaration.declarer}"


def _facts(declaration: Declaration, directory: Directory, zone: ZoneInfo) -> list[tuple[str, str]]:
    facts = [
        ("Reference", declaration.ref),
        ("From", directory.display_name(declaration.declarer)),
        ("Pupil", declaration.pupil_name),
        ("School", _site_name(directory, declaration.site_id)),
        ("Connection", declaration.relationship_label()),
        ("Where", ", ".join(declaration.platforms)),
        ("Since", day(declaration.since)),
        ("Sent", when(declaration.created_at, zone)),
        ("Status", _status(declaration, directory, zone)),
        ("E-mail", mail_line(declaration, directory)),
    ]
    if declaration.active:
        facts.append(("Re-confirm by", day(declaration.confirm_due)))
    return facts


def _status(declaration: Declaration, directory: Directory, zone: ZoneInfo) -> str:
    label = STATUS_LABELS[declaration.status]
    if declaration.status is Status.ACKNOWLEDGED and declaration.acknowledged_by:
        return f"{label} by {directory.display_name(declaration.acknowledged_by)}"
    if declaration.status is Status.ENDED and declaration.end_reason:
        return f"{label}: {END_REASON_LABELS[declaration.end_reason]}"
    return label


def _sections(declaration: Declaration, directory: Directory, zone: ZoneInfo) -> list[Section]:
    sections = []
    if declaration.note:
        sections.append(Section("Note", declaration.note))
    if declaration.exchanges:
        lines = [
            f"{when(e.at, zone)}, {directory.display_name(e.by)}"
            f"{' asked' if e.kind == 'question' else ' replied'}: {e.text}"
            for e in declaration.exchanges
        ]
        sections.append(Section("Questions and replies", "\n".join(lines)))
    if declaration.end_note:
        sections.append(Section("Why it ended", declaration.end_note))
    return sections


def lead_card(declaration: Declaration, directory: Directory, zone: ZoneInfo) -> Message:
    """The declaration for a Safeguarding Lead, with what they can do next."""
    ref = declaration.ref
    actions: list[Action] = []
    if declaration.status is Status.OPEN:
        actions.append(Action(DeclarationAction.ACKNOWLEDGE, "Acknowledge", ref, Style.PRIMARY))
    if declaration.active:
        actions.append(Action(DeclarationAction.ASK, "Ask a question", ref))
    return Message(
        notification=(
            f"Relationship declaration {ref} from {directory.display_name(declaration.declarer)}"
        ),
        title=f"Relationship declaration {ref}",
        body=(
            f"{directory.display_name(declaration.declarer)} is connected with a pupil on their "
            "personal social media and has declared it, as section 4 of the policy asks."
        ),
        facts=tuple(_facts(declaration, directory, zone)),
        sections=tuple(_sections(declaration, directory, zone)),
        actions=tuple(actions),
        footer="Only the pupil's school's Safeguarding Leads and the member of staff see this.",
    )


def declarer_card(declaration: Declaration, directory: Directory, zone: ZoneInfo) -> Message:
    """The member of staff's own copy, kept up to date, with "It has ended"."""
    ref = declaration.ref
    leads = ", ".join(directory.display_name(e) for e in declaration.leads)
    if declaration.status is Status.OPEN:
        body = f"Sent to {leads}. You will hear when it is acknowledged."
    elif declaration.status is Status.ACKNOWLEDGED:
        body = "Acknowledged. Thank you: nothing more to do until you are asked to re-confirm it."
    else:
        body = "Ended. It stays in the register as ended."
    if declaration.mail is Mail.NOT_CONFIGURED:
        body += " E-mail not sent: policybot has no e-mail set up, so this chat record is it."
    actions = (Action(DeclarationAction.END, "It has ended", ref),) if declaration.active else ()
    return Message(
        notification=f"Your declaration {ref}: {STATUS_LABELS[declaration.status].lower()}",
        title=f"Your declaration {ref}",
        body=body,
        facts=tuple(_facts(declaration, directory, zone)),
        sections=tuple(_sections(declaration, directory, zone)),
        actions=actions,
    )


def email(declaration: Declaration, directory: Directory, zone: ZoneInfo) -> Message:
    """The e-mail the policy asks for: to the Safeguarding Leads, the member of staff in copy.
    Its subject (the title) names no pupil."""
    name = directory.display_name(declaration.declarer)
    facts = [f for f in _facts(declaration, directory, zone) if f[0] not in {"Status", "E-mail"}]
    return Message(
        notification=f"Relationship declaration {declaration.ref} from {name}",
        title=f"Relationship declaration {declaration.ref} from {name}",
        body=(
            f"{name} ({declaration.declarer}) declares a connection on personal social media "
            "with a pupil, as section 4 of the Trust's social media policy asks. This e-mail is "
            "the written declaration; the Safeguarding Leads acknowledge it in policybot."
        ),
        facts=tuple(facts),
        sections=tuple(_sections(declaration, directory, zone)),
        footer="Sent by policybot. Please keep it confidential: it names a pupil.",
    )


def acknowledged(declaration: Declaration, directory: Directory) -> Message:
    by = directory.display_name(declaration.acknowledged_by or "")
    return Message(
        notification=f"Your declaration {declaration.ref} was acknowledged",
        title=f"{declaration.ref} acknowledged",
        body=f"{by} acknowledged your declaration. Thank you for telling us.",
    )


def question(declaration: Declaration, by: str, text: str, directory: Directory) -> Message:
    """A Safeguarding Lead's question, to the member of staff, with Reply."""
    ref = declaration.ref
    return Message(
        notification=f"A question about your declaration {ref}",
        title=f"A question about {ref}",
        body=f"{directory.display_name(by)} asks:",
        sections=(Section("Question", text),),
        actions=(Action(DeclarationAction.REPLY, "Reply", ref, Style.PRIMARY),),
    )


def reply(declaration: Declaration, text: str, directory: Directory) -> Message:
    """The member of staff's reply, to the Safeguarding Leads."""
    ref = declaration.ref
    name = directory.display_name(declaration.declarer)
    return Message(
        notification=f"{name} replied about declaration {ref}",
        title=f"Reply about {ref}",
        body=f"{name} replied:",
        sections=(Section("Reply", text),),
        actions=(Action(DeclarationAction.ASK, "Ask another question", ref),),
    )


def ended(declaration: Declaration, directory: Directory) -> Message:
    by = directory.display_name(declaration.ended_by or "")
    reason = END_REASON_LABELS[declaration.end_reason] if declaration.end_reason else "Ended"
    return Message(
        notification=f"Declaration {declaration.ref} has ended",
        title=f"{declaration.ref} ended",
        body=f"{by} ended it: {reason}.",
    )


def acknowledge_reminder(declaration: Declaration, directory: Directory) -> Message:
    """A reminder to the Safeguarding Leads of a declaration nobody has acknowledged."""
    ref = declaration.ref
    return Message(
        notification=f"Declaration {ref} is waiting for acknowledgement",
        title=f"Reminder: {ref} is waiting",
        body=(
            f"{directory.display_name(declaration.declarer)}'s relationship declaration has not "
            "been acknowledged yet."
        ),
        actions=(Action(DeclarationAction.ACKNOWLEDGE, "Acknowledge", ref, Style.PRIMARY),),
    )


def confirm_reminder(declaration: Declaration, directory: Directory) -> Message:
    """The yearly question to the member of staff: is it still true?"""
    ref = declaration.ref
    return Message(
        notification=f"Please re-confirm your declaration {ref}",
        title=f"Is your declaration {ref} still true?",
        body=(
            f"A year ago you declared a connection with {declaration.pupil_name} "
            f"({declaration.relationship_label().lower()}). The policy asks you to confirm it "
            "once a year, or to end it if it no longer applies."
        ),
        actions=(
            Action(DeclarationAction.CONFIRM, "Still true", ref, Style.PRIMARY),
            Action(DeclarationAction.END, "It has ended", ref),
        ),
    )


def register_line(
    declaration: Declaration, directory: Directory, today: date, *, mail_failed: bool = False
) -> str:
    """One line of the register: no note, no exchanges."""
    parts = [
        declaration.ref,
        directory.display_name(declaration.declarer),
        declaration.pupil_name,
        declaration.relationship_label(),
        STATUS_LABELS[declaration.status],
    ]
    if declaration.overdue(today):
        parts.append(f"not re-confirmed since {day(declaration.confirmed_on)}")
    if declaration.mail is Mail.NOT_CONFIGURED:
        parts.append("e-mail not sent")
    elif mail_failed:
        parts.append("e-mail could not be delivered")
    return " · ".join(parts)
