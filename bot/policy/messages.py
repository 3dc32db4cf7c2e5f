# What the policy messages say (rule P1): review reminders, ELT's ratification card and its
# outcome, a change's card with Acknowledge, the weekly nudge, and who has acknowledged.
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.directory import Directory
from bot.messages import Action, Message, Section, Style
from bot.policy.model import AckView, Change, Review, ReviewDate, ReviewState, day_words

POLICY = "the Trust's social media policy"


class PolicyAction(StrEnum):
    """Buttons of the policy flows; the value is the review's or the change's ref."""

    SEND = "policy_review_open"  # opens the form that sends a review for ratification
    RATIFY = "policy_ratify"
    RETURN = "policy_return_open"  # opens the form that asks for the reason
    ACK = "policy_ack"


def when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{day_words(local.date())} at {local:%H:%M}"


def _send_button(label: str = "Send for ratification") -> Action:
    return Action(PolicyAction.SEND, label, "", Style.PRIMARY)


def reminder(due: ReviewDate, today: date) -> Message:
    """To the Head of Comms: the review is coming up (or overdue), with Send for ratification."""
    left = (due.due - today).days
    if left >= 0:
        head = f"The policy is due for review on {day_words(due.due)}"
        body = f"{head}, in {left} day{'s' if left != 1 else ''}."
        notification = f"Policy review due on {day_words(due.due)}"
    else:
        body = f"The policy's review was due on {day_words(due.due)} and is overdue."
        notification = "The policy review is overdue"
    body += (
        " Section 12 asks the Head of Communications to review it every year and ELT to "
        "ratify it. When your review is done, send it to ELT with the button."
    )
    return Message(
        notification=notification,
        title="Social media policy review",
        body=body,
        facts=(("Review date", day_words(due.due)),),
        actions=(_send_button(),),
        footer="Reminders come 60, 30 and 7 days before the date, then weekly while overdue.",
    )


def review_status(due: ReviewDate | None, waiting: Review | None, directory: Directory) -> str:
    """The review in a sentence or two, for anyone who asks."""
    text = (
        f"The policy's next review is due on {day_words(due.due)}."
        if due
        else "No review date is set (the directory's policy.next_review is empty)."
    )
    if waiting is not None:
        text += (
            f" {waiting.ref}, sent by {directory.display_name(waiting.requested_by)}, is "
            "waiting for ELT to ratify it."
        )
    return text


def review_home(
    due: ReviewDate | None, waiting: Review | None, directory: Directory, today: date
) -> Message:
    """The Head of Comms' page: the review date, and Send for ratification unless one waits."""
    return Message(
        notification="Social media policy review",
        title="Social media policy review",
        body=review_status(due, waiting, directory),
        actions=() if waiting else (_send_button(),),
        footer="Reminders come 60, 30 and 7 days before the date, then weekly while overdue."
        if due and due.due >= today
        else None,
    )


def review_card(review: Review, directory: Directory, zone: ZoneInfo) -> Message:
    """An ELT member's card: Ratify and Return while it waits; who decided, once decided."""
    by = directory.display_name(review.requested_by)
    facts = [
        ("Sent by", f"{by}, {when(review.requested_at, zone)}"),
        ("Next review", day_words(review.next_review)),
    ]
    if review.link:
        facts.append(("Reviewed policy", review.link))
    sections = [Section("What changed", review.summary or "Nothing: the policy stands as it is.")]
    actions: tuple[Action, ...] = ()
    if review.status is ReviewState.WAITING:
        actions = (
            Action(PolicyAction.RATIFY, "Ratify", review.ref, Style.PRIMARY),
            Action(PolicyAction.RETURN, "Return", review.ref, Style.DANGER),
        )
        title = f"Policy review {review.ref}: please ratify"
    else:
        facts.append(("Decision", _decision(review, directory, zone)))
        if review.reason:
            sections.append(Section("Why it was returned", review.reason))
        title = f"Policy review {review.ref}: {review.status.value}"
    return Message(
        notification=f"Policy review {review.ref} for ELT",
        title=title,
        body=f"The Head of Communications has reviewed {POLICY}. One member of ELT ratifies "
        "it or returns it; the first decision counts.",
        facts=tuple(facts),
        sections=tuple(sections),
        actions=actions,
    )


def _decision(review: Review, directory: Directory, zone: ZoneInfo) -> str:
    who = directory.display_name(review.decided_by or "")
    at = when(review.decided_at, zone) if review.decided_at else ""
    return f"{review.status.value.capitalize()} by {who}, {at}"


def decided(review: Review, directory: Directory, zone: ZoneInfo) -> Message:
    """To the Head of Comms: ELT ratified the review, or returned it (with the reason)."""
    who = directory.display_name(review.decided_by or "")
    if review.status is ReviewState.RATIFIED:
        return Message(
            notification=f"{review.ref} ratified by {who}",
            title=f"Policy review {review.ref} ratified",
            body=f"{who} ratified the review. The next review is due on "
            f"{day_words(review.next_review)}; reminders start again 60 days before it.",
            facts=(("Decision", _decision(review, directory, zone)),),
        )
    return Message(
        notification=f"{review.ref} returned by {who}",
        title=f"Policy review {review.ref} returned",
        body=f"{who} returned the review. Please look again and send it when it is ready.",
        facts=(("Decision", _decision(review, directory, zone)),),
        sections=(Section("Why", review.reason or ""),),
        actions=(_send_button("Send again"),),
    )


def change_card(
    change: Change, directory: Directory, zone: ZoneInfo, acked_at: datetime | None = None
) -> Message:
    """A member of staff's card: the change, with Acknowledge, or when they acknowledged it."""
    by = directory.display_name(change.announced_by)
    facts = [("Announced", f"{when(change.announced_at, zone)} by {by}"), ("Policy", change.link)]
    if acked_at is not None:
        facts.append(("Acknowledged", f"by you, {when(acked_at, zone)}"))
    return Message(
        notification="A change to the social media policy: please acknowledge it",
        title=f"The social media policy has changed ({change.ref})",
        body="Please read what changed and the policy, then acknowledge it."
        if acked_at is None
        else "Thank you for acknowledging this change.",
        facts=tuple(facts),
        sections=(Section("What changed", change.summary),),
        actions=(Action(PolicyAction.ACK, "Acknowledge", change.ref, Style.PRIMARY),)
        if acked_at is None
        else (),
    )


def nudge(change: Change, directory: Directory, zone: ZoneInfo) -> Message:
    """The weekly reminder to someone who has not acknowledged a change."""
    local = change.announced_at.astimezone(zone)
    return Message(
        notification="Please acknowledge the change to the social media policy",
        title=f"Please acknowledge {change.ref}",
        body=f"The social media policy changed on {day_words(local.date())} and there is no "
        "acknowledgement from you yet. Please read it and press Acknowledge.",
        facts=(("Policy", change.link),),
        sections=(Section("What changed", change.summary),),
        actions=(Action(PolicyAction.ACK, "Acknowledge", change.ref, Style.PRIMARY),),
        footer="Sent once a week in term time until you acknowledge it.",
    )


def ack_pages(view: AckView, directory: Directory, zone: ZoneInfo) -> list[Message]:
    """Who has acknowledged a change, per site: counts, and the names of those who have not."""
    change = view.change

    def name(site_id: str) -> str:
        site = directory.site(site_id)
        return site.name if site else site_id

    acked = sum(len(s.acked) for s in view.sites)
    total = sum(s.total for s in view.sites)
    return [
        Message(
            notification=f"Acknowledgements of {change.ref}",
            title=f"Who has acknowledged {change.ref}",
            body=f"Announced {when(change.announced_at, zone)} by "
            f"{directory.display_name(change.announced_by)}: {acked} of {total} acknowledged "
            "across the sites shown (someone at two sites counts at each).",
            facts=tuple((name(s.site_id), f"{len(s.acked)} of {s.total}") for s in view.sites),
            sections=tuple(
                Section(
                    f"Not yet at {name(s.site_id)}",
                    ", ".join(sorted(directory.display_name(e) for e in s.waiting)),
                )
                for s in view.sites
                if s.waiting
            ),
            footer="Add a change's reference (for example PC-2026-0001) to the command to see an "
            "older one.",
        )
    ]
