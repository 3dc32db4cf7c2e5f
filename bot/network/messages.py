# What network messages say: the Headteacher's card, the IT provider's card, and the requester's
# updates. Notifications carry the reference and the platform, never what people wrote.
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.directory import Directory
from bot.messages import Action, Message, Section, Style
from bot.network.model import STATUS_LABELS, Kind, NetworkRequest, Status

FOOTER = "Policy sections 6 and 9: social media on the school network, and blocked content."


class NetworkAction(StrEnum):
    """Buttons of the network flows; the value of each is a reference (or empty)."""

    ASK = "network_ask"  # App Home: ask for a platform on the school network
    ASK_UNBLOCK = "network_ask_unblock"  # App Home: ask for a site to be unblocked
    APPROVE = "network_approve"
    DECLINE = "network_decline"
    DONE = "network_done"
    REMOVED = "network_removed"  # the IT provider removed the access after the activity


def head_thread(ref: str, email: str) -> str:
    return f"network:{ref}:head:{email}"


def it_thread(ref: str, email: str) -> str:
    return f"network:{ref}:it:{email}"


def end_thread(ref: str, email: str) -> str:
    return f"network:{ref}:end:{email}"


def reminder_thread(card_thread: str, day_key: str) -> str:
    """A reminder is a card of its own, refreshed in place with the others: its thread starts
    like the card it repeats, so every later change reaches it too."""
    return f"{card_thread}:{day_key}"


def day(moment: date | datetime, zone: ZoneInfo) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone).date()
    return f"{moment.day} {moment.strftime('%b %Y')}"


def site_name(directory: Directory, site_id: str) -> str:
    site = directory.site(site_id)
    return site.name if site else site_id


def what(request: NetworkRequest) -> str:
    """ "Instagram for pupils" or "a blocked site": safe for a notification."""
    return f"{request.platform} for pupils" if request.kind is Kind.PLATFORM else "a blocked site"


def _facts(request: NetworkRequest, directory: Directory, zone: ZoneInfo) -> list[tuple[str, str]]:
    name = directory.display_name
    facts = [("Reference", request.ref), ("School", site_name(directory, request.site_id))]
    if request.kind is Kind.PLATFORM:
        facts += [
            ("Class", request.class_name or "-"),
            ("Platform", request.platform or "-"),
            ("Dates", _dates(request, zone)),
        ]
    else:
        facts.append(("Address", request.address or "-"))
    facts += [("Asked by", name(request.requester)), ("Status", STATUS_LABELS[request.status])]
    if request.approved_by and request.approved_at:
        facts.append(
            ("Approved", f"by {name(request.approved_by)} on {day(request.approved_at, zone)}")
        )
    if request.done_by and request.done_at:
        verb = "Applied" if request.kind is Kind.PLATFORM else "Unblocked"
        facts.append((verb, f"by {name(request.done_by)} on {day(request.done_at, zone)}"))
    if request.removed_by and request.removed_at:
        facts.append(
            ("Access removed", f"by {name(request.removed_by)} on {day(request.removed_at, zone)}")
        )
    return facts


def _dates(request: NetworkRequest, zone: ZoneInfo) -> str:
    if request.starts_on is None or request.ends_on is None:
        return "-"
    return f"{day(request.starts_on, zone)} to {day(request.ends_on, zone)}"


def _sections(request: NetworkRequest, directory: Directory) -> tuple[Section, ...]:
    sections = [Section("Why", request.reason)]
    if request.status is Status.DECLINED and request.declined_by:
        sections.append(
            Section(
                f"Declined by {directory.display_name(request.declined_by)}",
                request.declined_reason or "No reason given.",
            )
        )
    return tuple(sections)


def head_card(request: NetworkRequest, directory: Directory, zone: ZoneInfo) -> Message:
    """A platform request, for the Headteacher who gives or refuses permission."""
    actions: tuple[Action, ...] = ()
    if request.status is Status.REQUESTED:
        actions = (
            Action(NetworkAction.APPROVE, "Approve", request.ref, Style.PRIMARY),
            Action(NetworkAction.DECLINE, "Decline", request.ref, Style.DANGER),
        )
    return Message(
        notification=f"Network access {request.ref}: {what(request)}",
        title=f"Network access {request.ref}",
        body=f"{directory.display_name(request.requester)} asks for pupils to use "
        f"{request.platform} on the school network. If you approve, the IT provider applies "
        "the security measures before it is used.",
        facts=tuple(_facts(request, directory, zone)),
        sections=_sections(request, directory),
        actions=actions,
        footer=FOOTER,
    )


def it_card(request: NetworkRequest, directory: Directory, zone: ZoneInfo) -> Message:
    """For the IT provider: security measures to apply, or a site to unblock."""
    actions: tuple[Action, ...] = ()
    if request.kind is Kind.PLATFORM:
        if request.status is Status.APPROVED:
            actions = (Action(NetworkAction.DONE, "Done", request.ref, Style.PRIMARY),)
        return Message(
            notification=f"Security measures to apply: {request.ref}",
            title=f"Apply security measures {request.ref}",
            body=f"The Headteacher approved pupils' use of {request.platform} on the school "
            "network for the class and dates below. Please apply the network security "
            "measures, then press Done.",
            facts=tuple(_facts(request, directory, zone)),
            sections=_sections(request, directory),
            actions=actions,
            footer=FOOTER,
        )
    if request.status is Status.REQUESTED:
        actions = (
            Action(NetworkAction.DONE, "Unblocked", request.ref, Style.PRIMARY),
            Action(NetworkAction.DECLINE, "Decline", request.ref, Style.DANGER),
        )
    return Message(
        notification=f"Unblock request {request.ref}",
        title=f"Unblock request {request.ref}",
        body=f"{directory.display_name(request.requester)} asks for a site blocked in error to "
        "be unblocked. Unblock it and press Unblocked, or decline with a reason.",
        facts=tuple(_facts(request, directory, zone)),
        sections=_sections(request, directory),
        actions=actions,
        footer=FOOTER,
    )


def receipt(request: NetworkRequest, directory: Directory) -> Message:
    who = (
        f"the Headteacher of {site_name(directory, request.site_id)}"
        if request.kind is Kind.PLATFORM
        else "the Trust's IT provider"
    )
    return Message(
        notification=f"Your request {request.ref} was sent",
        title=f"Request {request.ref} sent",
        body=f"Your request for {what(request)} has gone to {who}. You'll hear here at each step.",
    )


def approved(request: NetworkRequest, directory: Directory) -> Message:
    return Message(
        notification=f"Your request {request.ref} was approved",
        title=f"Request {request.ref} approved",
        body=f"{directory.display_name(request.approved_by or '')} approved {request.platform} "
        "for your class. It now waits for the IT provider to apply the security measures: "
        "please don't use it with pupils until you hear that they are applied.",
    )


def done(request: NetworkRequest, directory: Directory) -> Message:
    who = directory.display_name(request.done_by or "")
    if request.kind is Kind.PLATFORM:
        body = (
            f"{who} applied the security measures: your class may use {request.platform} on the "
            "school network on the dates approved."
        )
    else:
        body = f"{who} unblocked {request.address}."
    return Message(
        notification=f"Your request {request.ref} is done",
        title=f"Request {request.ref} done",
        body=body,
    )


def declined(request: NetworkRequest, directory: Directory) -> Message:
    return Message(
        notification=f"Your request {request.ref} was declined",
        title=f"Request {request.ref} declined",
        body=f"{directory.display_name(request.declined_by or '')} declined your request for "
        f"{what(request)}.",
        sections=(Section("Reason", request.declined_reason or "No reason given."),),
    )


def reminder(card: Message, waited: int) -> Message:
    """The card of someone who must act, again, with the same buttons."""
    return replace(
        card,
        notification=f"Reminder: {card.notification}",
        title=f"Reminder: {card.title}",
        body=f"This has waited {waited} working day(s) for you. {card.body or ''}".strip(),
    )


def end_card(request: NetworkRequest, directory: Directory, zone: ZoneInfo) -> Message:
    """For the IT provider once an applied platform's activity has ended: remove the access."""
    actions: tuple[Action, ...] = ()
    if request.status is Status.DONE:
        actions = (Action(NetworkAction.REMOVED, "Access removed", request.ref, Style.PRIMARY),)
    ends = day(request.ends_on, zone) if request.ends_on else "its last day"
    return Message(
        notification=f"Activity ended: remove access for {request.ref}",
        title=f"Remove network access {request.ref}",
        body=f"The activity for {request.ref} ended on {ends}: please remove pupils' access to "
        f"{request.platform} on the school network, then press Access removed.",
        facts=tuple(_facts(request, directory, zone)),
        actions=actions,
        footer=FOOTER,
    )


def lapsed(request: NetworkRequest, zone: ZoneInfo) -> Message:
    """For the requester: the activity ended before their request was approved or applied."""
    ends = day(request.ends_on, zone) if request.ends_on else "its last day"
    return Message(
        notification=f"Your request {request.ref} has lapsed",
        title=f"Request {request.ref} lapsed",
        body=f"The activity ended on {ends} before {request.platform} was approved and applied, "
        "so your request has lapsed and nothing will be set up. Please ask again for a new "
        "activity.",
    )


def lapsed_for_it(request: NetworkRequest, zone: ZoneInfo) -> Message:
    """For the IT provider: an approved request not yet applied has lapsed; don't apply it."""
    ends = day(request.ends_on, zone) if request.ends_on else "its last day"
    return Message(
        notification=f"Network access {request.ref} has lapsed",
        title=f"Don't apply {request.ref}",
        body=f"The activity for {request.ref} ended on {ends} before the security measures "
        f"were applied: please don't give pupils access to {request.platform} for it.",
    )


def removed(request: NetworkRequest, directory: Directory) -> Message:
    """For the requester: the access was removed after the activity."""
    return Message(
        notification=f"Access for {request.ref} removed",
        title=f"Request {request.ref} closed",
        body=f"{directory.display_name(request.removed_by or '')} removed pupils' access to "
        f"{request.platform} on the school network now the activity has ended.",
    )
