# What the consent flows say: a pupil as a search option, their consent and its history, the
# confirmation of a change, and the summary of an import.
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.consent.model import (
    SOURCE_LABELS,
    USE_LABELS,
    USES,
    HistoryEntry,
    Pupil,
    describe_uses,
)
from bot.directory import Directory

HISTORY_SHOWN = 10
_DETAIL_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "preferred_name": "preferred name",
    "date_of_birth": "date of birth",
    "year_group": "year group",
}


def option_label(pupil: Pupil, directory: Directory) -> str:
    """ "Amelia Hart · Year 4 · Willow Primary School", as the pupil picker lists them."""
    site = directory.site(pupil.site_id)
    parts = [pupil.full_name, pupil.year_group, site.name if site else pupil.site_id]
    return " · ".join(p for p in parts if p)


def current_consent(pupil: Pupil) -> str:
    lines = [f"{'✓' if pupil.consent.allows(*use) else '✗'} {USE_LABELS[use]}" for use in USES]
    return "\n".join(lines)


def what_changed(entry: HistoryEntry, previous: HistoryEntry | None) -> str:
    """In words: what this version changed from the one before."""
    if previous is None:
        return f"First recorded: {entry.consent.describe().lower()}"
    parts = []
    withdrawn = previous.consent.withdrawn_in(entry.consent)
    given = previous.consent.given_in(entry.consent)
    if withdrawn:
        parts.append(f"withdrawn: {describe_uses(withdrawn)}")
    if given:
        parts.append(f"given: {describe_uses(given)}")
    details = [
        label
        for name, label in _DETAIL_LABELS.items()
        if entry.details.get(name, "") != previous.details.get(name, "")
    ]
    if details:
        parts.append(f"{', '.join(details)} updated")
    text = "; ".join(parts) or "no change"
    return text[0].upper() + text[1:]


def history_lines(history: list[HistoryEntry], directory: Directory, zone: ZoneInfo) -> str:
    """The versions, newest first: date, what changed, how it came, who recorded it."""
    lines = []
    for index in range(len(history) - 1, -1, -1):
        entry = history[index]
        previous = history[index - 1] if index else None
        when = entry.changed_on or entry.recorded_at.astimezone(zone).date()
        who = directory.display_name(entry.recorded_by)
        line = (
            f"{when.day} {when.strftime('%b %Y')} · {what_changed(entry, previous)} · "
            f"{SOURCE_LABELS[entry.source]} · recorded by {who}"
        )
        if entry.note:
            line += f"\n      Note: {entry.note}"
        lines.append(line)
        if len(lines) == HISTORY_SHOWN:
            lines.append(f"… and {index} earlier version(s).")
            break
    return "\n".join(lines)


def confirmation(pupil: Pupil, *, created: bool, takedowns: int) -> str:
    if not created:
        return (
            f"This change to {pupil.display_name}'s consent was already recorded "
            f"(version {pupil.version}). Nothing else was changed."
        )
    tasks = (
        "No published post shows them in a way their consent no longer covers."
        if takedowns == 0
        else f"{takedowns} take-down task(s) were created for published posts that show them; "
        "whoever published each post and the Head of Comms have been asked to remove it."
    )
    return (
        f"Recorded: {pupil.display_name}'s consent is now "
        f"“{pupil.consent.describe().lower()}” (version {pupil.version}). {tasks}"
    )
