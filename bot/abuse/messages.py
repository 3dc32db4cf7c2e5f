# What abuse log messages say: the entry's card (with its status buttons), the nudge to escalate,
# and the list. Notifications never quote the comment nor name its author.
from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.abuse.model import (
    DONE_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TRUST,
    AbuseEntry,
    Screenshot,
    ShotState,
    Status,
)
from bot.directory import Directory
from bot.files import MAX_SIZE, TOO_BIG
from bot.messages import Action, Message, Section, Style
from bot.reports.messages import when


class AbuseAction(StrEnum):
    """Status buttons on an entry's card; the value of each is the entry's reference."""

    REPORTED = "abuse_reported"
    HELPLINE = "abuse_helpline"
    POLICE = "abuse_police"
    CLOSED = "abuse_closed"
    OPEN = "abuse_reopen"


ACTION_STATUS = {
    AbuseAction.REPORTED: Status.REPORTED,
    AbuseAction.HELPLINE: Status.HELPLINE,
    AbuseAction.POLICE: Status.POLICE,
    AbuseAction.CLOSED: Status.CLOSED,
    AbuseAction.OPEN: Status.OPEN,
}
BUTTON_LABELS = {
    Status.REPORTED: "Reported to platform",
    Status.HELPLINE: "Escalate to helpline",
    Status.POLICE: "Escalate to police",
    Status.CLOSED: "Close",
    Status.OPEN: "Reopen",
}


def card_thread(ref: str, email: str) -> str:
    return f"abuse:{ref}:card:{email}"


def site_name(directory: Directory, site_id: str) -> str:
    if site_id == TRUST:
        return f"{directory.trust.name} (the Trust)"
    site = directory.site(site_id)
    return site.name if site else site_id


def facts(
    entry: AbuseEntry,
    directory: Directory,
    zone: ZoneInfo,
    shots: Sequence[Screenshot] = (),
) -> tuple[tuple[str, str], ...]:
    done = ", ".join(DONE_LABELS[d] for d in entry.done) or "Nothing yet"
    shown = [
        ("Reference", entry.ref),
        ("About", site_name(directory, entry.site_id)),
        ("Kind", KIND_LABELS[entry.kind]),
        ("Platform", entry.platform),
        ("Account or page", entry.account or "Not given"),
        ("Author", entry.author or "Not given"),
        ("Link", entry.link or "Not given"),
        ("Seen", when(entry.seen_at, zone)),
        ("Logged", f"{when(entry.logged_at, zone)} by {directory.display_name(entry.logged_by)}"),
        ("Screenshot link", entry.screenshot_url or "Not given"),
        ("Screenshot files", "\n".join(shot_line(s, zone) for s in shots) or "None"),
        ("Done before logging", done),
        ("Status", status_line(entry, directory, zone)),
    ]
    if entry.report_ref:
        shown.append(("From misuse report", entry.report_ref))
    return tuple(shown)


def status_line(entry: AbuseEntry, directory: Directory, zone: ZoneInfo) -> str:
    label = STATUS_LABELS[entry.status]
    if entry.status_by and entry.status_at:
        return f"{label} ({directory.display_name(entry.status_by)}, {when(entry.status_at, zone)})"
    return label


def next_steps(entry: AbuseEntry) -> tuple[Action, ...]:
    """The buttons for the status it may move to: every other one; a closed entry reopens."""
    if entry.status is Status.CLOSED:
        return (Action(AbuseAction.OPEN, BUTTON_LABELS[Status.OPEN], entry.ref),)
    return tuple(
        Action(
            action,
            BUTTON_LABELS[status],
            entry.ref,
            Style.PRIMARY if status is Status.REPORTED else Style.DEFAULT,
        )
        for action, status in ACTION_STATUS.items()
        if status is not entry.status and status is not Status.OPEN
    )


def shot_line(shot: Screenshot, zone: ZoneInfo) -> str:
    """A screenshot as the card lists it: its name, and its fingerprint once kept."""
    if shot.state is ShotState.KEPT and shot.kept_at:
        return (
            f"{shot.name} ({size(shot.size)}, kept {when(shot.kept_at, zone)}), "
            f"SHA-256 {shot.sha256}"
        )
    if shot.state is ShotState.GIVEN:
        return f"SHA-256 {shot.sha256} (typed by the person who logged it)"
    if shot.state is ShotState.FAILED:
        return f"{shot.name}: could not be fetched; the sender was asked to send it again"
    return f"{shot.name}: being fetched and fingerprinted"


def size(count: int | None) -> str:
    if count is None:
        return "size unknown"
    if count < 1024 * 1024:
        return f"{max(1, round(count / 1024))} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def entry_card(
    entry: AbuseEntry, directory: Directory, zone: ZoneInfo, shots: Sequence[Screenshot] = ()
) -> Message:
    """The entry for the Head of Comms and the school's Headteacher, kept up to date."""
    sections = (Section("Note", entry.note),) if entry.note else ()
    return Message(
        notification=f"Abuse log {entry.ref}: {site_name(directory, entry.site_id)}",
        title=f"Abuse log {entry.ref}",
        body=(
            f"{directory.display_name(entry.logged_by)} logged a comment about "
            f"{site_name(directory, entry.site_id)}. Change its status as you deal with it."
        ),
        facts=facts(entry, directory, zone, shots),
        sections=sections,
        actions=next_steps(entry),
        footer="Only the Head of Communications, the school's Headteacher and whoever logged "
        "it see this entry.",
    )


def screenshot_kept(entry: AbuseEntry, shot: Screenshot) -> Message:
    """To whoever gave the file: it is kept, with the fingerprint to quote later."""
    return Message(
        notification=f"Screenshot kept with {entry.ref}",
        title=f"Screenshot kept with {entry.ref}",
        body=(
            "The bot has fetched and kept your screenshot. If a copy is needed later, its "
            "SHA-256 fingerprint shows whether it is the same file."
        ),
        facts=(
            ("File", shot.name),
            ("Size", size(shot.size)),
            ("SHA-256", shot.sha256 or ""),
        ),
    )


def screenshot_failed(entry: AbuseEntry, shot: Screenshot) -> Message:
    """To whoever gave the file: it could not be fetched (or was too big to keep), and how to
    send it again."""
    why = (
        f"{shot.name} is bigger than {MAX_SIZE}, the most the bot keeps, so it is not kept "
        f"with {entry.ref}. Please send a smaller copy (a screenshot rather than a recording)"
        if shot.problem == TOO_BIG
        else f"The bot could not fetch {shot.name}, so it is not kept with {entry.ref}. Please "
        "send it again"
    )
    return Message(
        notification=f"Please send the screenshot for {entry.ref} again",
        title=f"Please send the screenshot for {entry.ref} again",
        body=(
            f"{why}: in Slack with `/abuse-log screenshot {entry.ref}`, in Teams by sending the "
            f"file to the bot in chat with {entry.ref} in the message."
        ),
    )


def escalate_nudge(entry: AbuseEntry, directory: Directory, zone: ZoneInfo, days: int) -> Message:
    """To the Head of Comms: reported to the platform `days` ago and still there."""
    return Message(
        notification=f"Abuse log {entry.ref}: still with the platform after {days} days",
        title=f"Escalate {entry.ref}?",
        body=(
            f"{entry.ref} ({site_name(directory, entry.site_id)}, {entry.platform}) was reported "
            f"to the platform {days} or more days ago and is still waiting. If the comment is "
            "still up, consider the Professionals Online Safety Helpline or the police."
        ),
        facts=(("Reported", status_line(entry, directory, zone)),),
        actions=(
            Action(AbuseAction.HELPLINE, BUTTON_LABELS[Status.HELPLINE], entry.ref, Style.PRIMARY),
            Action(AbuseAction.POLICE, BUTTON_LABELS[Status.POLICE], entry.ref),
            Action(AbuseAction.CLOSED, BUTTON_LABELS[Status.CLOSED], entry.ref),
        ),
    )


def line(entry: AbuseEntry, directory: Directory, zone: ZoneInfo) -> str:
    """One line of the list."""
    return " · ".join(
        (
            entry.ref,
            when(entry.logged_at, zone),
            site_name(directory, entry.site_id),
            entry.platform,
            KIND_LABELS[entry.kind],
            STATUS_LABELS[entry.status],
        )
    )


def log_pages(
    entries: list[AbuseEntry], directory: Directory, zone: ZoneInfo, *, scope: str
) -> list[Message]:
    """The entries a person may see, 20 lines a section."""
    lines = [line(e, directory, zone) for e in entries]
    chunks = [lines[i : i + 20] for i in range(0, len(lines), 20)]
    return [
        Message(
            notification="Abuse log",
            title=f"Abuse log: {scope}",
            body=None if lines else "No entries you can see. /abuse-log logs a comment.",
            sections=tuple(Section("Newest first", "\n".join(c)) for c in chunks),
        )
    ]
