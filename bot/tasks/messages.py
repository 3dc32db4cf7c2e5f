# What task messages say: the take-down and consent-at-18 cards, their daily reminders, and the
# card once a task is closed. Notifications never name a pupil.
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.consent.model import Media, Pupil, Scope, describe_uses
from bot.directory import Directory
from bot.messages import Action, Message, Style
from bot.tasks.model import STATUS_LABELS, Task, TaskKind, TaskStatus


class TaskAction(StrEnum):
    """Buttons on a task card; the value of each is the task's id."""

    DONE = "task_done"
    NOT_PRACTICABLE = "task_not_practicable"


def card_thread(task: Task, email: str) -> str:
    return f"task:{task.id}:card:{email}"


def day(moment: date | datetime, zone: ZoneInfo) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone).date()
    return f"{moment.day} {moment.strftime('%b %Y')}"


def pupil_words(pupil: Pupil | None) -> str:
    """ "Amelia H. (Year 4)": the short name a task shows; never the full name."""
    if pupil is None:
        return "A pupil who is no longer on the register"
    year = f" ({pupil.year_group})" if pupil.year_group else ""
    return f"{pupil.display_name}{year}"


def task_card(task: Task, pupil: Pupil | None, directory: Directory, zone: ZoneInfo) -> Message:
    """The task as its assignees see it, with its buttons while it is open."""
    if task.kind is TaskKind.TAKEDOWN:
        message = _takedown(task, pupil, directory, zone)
    else:
        message = _at18(task, pupil, zone)
    if task.is_open:
        return message
    return Message(
        notification=f"Task {task.id} closed",
        title=message.title,
        body=closed_words(task, directory, zone),
        facts=message.facts,
    )


def nudge(task: Task, pupil: Pupil | None, directory: Directory, zone: ZoneInfo) -> Message:
    """The daily reminder of an open task: the card again, under a reminder's words."""
    card = task_card(task, pupil, directory, zone)
    waiting = f"open since {day(task.created_at, zone)}"
    return Message(
        notification=f"Reminder: task {task.id} is still open",
        title=f"Reminder: {card.title[0].lower()}{card.title[1:]}",
        body=f"This task has been {waiting}.\n\n{card.body or ''}".strip(),
        facts=card.facts,
        actions=card.actions,
        footer=card.footer,
    )


def closed_words(task: Task, directory: Directory, zone: ZoneInfo) -> str:
    who = directory.display_name(task.done_by or "")
    when = day(task.done_at, zone) if task.done_at else "an earlier day"
    if task.status is TaskStatus.NOT_PRACTICABLE:
        return f"Marked not practicable by {who} on {when}. Reason: {task.reason or '-'}"
    verb = "Taken down" if task.kind is TaskKind.TAKEDOWN else "Done"
    return f"{verb}: closed by {who} on {when}."


def already_closed(task: Task, directory: Directory, zone: ZoneInfo) -> str:
    """The polite answer to a second click."""
    who = directory.display_name(task.done_by or "")
    when = day(task.done_at, zone) if task.done_at else "an earlier day"
    return (
        f"Thank you: task {task.id} was already closed by {who} on {when} "
        f"({STATUS_LABELS[task.status].lower()}). Nothing else is needed."
    )


def _takedown(task: Task, pupil: Pupil | None, directory: Directory, zone: ZoneInfo) -> Message:
    detail = task.detail
    withdrawn = [
        (Media(m), Scope(s)) for m, s in (use.split("_", 1) for use in detail.get("uses", []))
    ]
    changed_on = date.fromisoformat(detail["changed_on"]) if detail.get("changed_on") else None
    account = directory.account(str(detail.get("account_id", "")))
    facts = [("Post", task.post_ref or "-")]
    if account:
        facts.append(("Account", f"{account.platform} {account.handle}"))
    if detail.get("published_url"):
        facts.append(("Link", str(detail["published_url"])))
    if detail.get("published_by"):
        facts.append(("Published by", directory.display_name(str(detail["published_by"]))))
    facts += [("Pupil", pupil_words(pupil)), ("Task", str(task.id))]
    when = day(changed_on, zone) if changed_on else "recently"
    return Message(
        notification=f"A published post needs taking down (task {task.id})",
        title=f"Take down post {task.post_ref}",
        body=(
            f"Consent for a pupil shown in this post was withdrawn or narrowed on {when}: it no "
            f"longer covers {describe_uses(withdrawn)}. Please take the post down, or edit it so "
            "the pupil can't be identified, wherever that is reasonably practicable. If it "
            "isn't, say why."
        ),
        facts=tuple(facts),
        actions=(
            Action(TaskAction.DONE, "Taken down", str(task.id), Style.PRIMARY),
            Action(TaskAction.NOT_PRACTICABLE, "Not practicable", str(task.id)),
        ),
        footer="Sent to you because you published this post or are the Head of Comms.",
    )


def _at18(task: Task, pupil: Pupil | None, zone: ZoneInfo) -> Message:
    turned = pupil.birthday(18) if pupil else None
    when = day(turned, zone) if turned else "recently"
    return Message(
        notification=f"A pupil on your consent register has turned 18 (task {task.id})",
        title="Consent at 18",
        body=f"{pupil_words(pupil)} turned 18 on {when}: ask them for their own consent and "
        "record it with /consent.",
        facts=(("Task", str(task.id)),),
        actions=(Action(TaskAction.DONE, "Done", str(task.id), Style.PRIMARY),),
        footer="Sent to you because you keep the school's consent register.",
    )
