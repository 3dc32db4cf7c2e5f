# The misuse report form and the short forms that act on a report, as data, with their checks.
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.directory import Directory, Person
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly, clean_values
from bot.reports.model import CATEGORY_LABELS, OUTCOME_LABELS, Category, Outcome

REPORT_FORM = "report_misuse"
NOTE_FORM = "report_note"
CLOSE_FORM = "report_close"
HANDOVER_FORM = "report_handover"

PLATFORMS = (
    "X",
    "Facebook",
    "Instagram",
    "TikTok",
    "Snapchat",
    "WhatsApp",
    "YouTube",
    "LinkedIn",
    "Another platform or website",
)
SAFEGUARDING = "safeguarding"
SCHOOL_DEVICE = "school_device"
STAFF_FIELD = "subject_staff"  # the member of staff a report is about, searched by name
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class ReportInput:
    """A checked report, ready for routing."""

    site_id: str
    category: Category
    description: str
    happened_on: date
    platform: str | None
    subject_staff: str | None
    subject_name: str | None
    links: str | None
    safeguarding: bool
    on_school_device: bool


def report_form(directory: Directory, reporter: str, *, today: date | None = None) -> Form:
    """The form as the reporter sees it; the site defaults to their own, the date to today."""
    home = directory.sites_of(reporter)
    return Form(
        id=REPORT_FORM,
        title="Report misuse",
        submit="Send report",
        intro="Tell us what you saw. It goes straight to the right person; you don't need to "
        "choose who. Only the people who deal with it will see the details.",
        fields=(
            Field(
                "category",
                "What kind of misuse?",
                FieldKind.SELECT,
                options=tuple(Option(c.value, label) for c, label in CATEGORY_LABELS.items()),
            ),
            Field(
                STAFF_FIELD,
                "Member of staff involved",
                FieldKind.PERSON,
                required=False,
                hint="If it is about a member of staff, pick them here. They will never see "
                "this report.",
            ),
            Field(
                "subject_name",
                "Pupil or parent involved",
                FieldKind.TEXT,
                required=False,
                max_length=100,
                placeholder="Name, if you know it",
            ),
            Field(
                "platform",
                "Where did it happen?",
                FieldKind.SELECT,
                options=tuple(Option(p, p) for p in PLATFORMS),
            ),
            Field(
                "happened_on",
                "When did it happen?",
                FieldKind.DATE,
                hint="Your best guess is fine.",
                initial=today.isoformat() if today else None,
            ),
            Field(
                "description",
                "What happened?",
                FieldKind.LONG_TEXT,
                max_length=3000,
                placeholder="What you saw, who was involved and anything already done",
            ),
            Field(
                "links",
                "Links",
                FieldKind.LONG_TEXT,
                required=False,
                max_length=1000,
                placeholder="One link per line, if there are any",
                hint="Don't screenshot or forward images of pupils; a link is enough.",
            ),
            Field(
                "site_id",
                "Which school or site?",
                FieldKind.SELECT,
                options=tuple(Option(s.id, s.name) for s in directory.sites),
                initial=home[0].id if home else None,
            ),
            Field(
                "flags",
                "Tick any that apply",
                FieldKind.CHECKBOXES,
                required=False,
                options=(
                    Option(SAFEGUARDING, "This is a safeguarding concern"),
                    Option(SCHOOL_DEVICE, "It was on a school computer or the school network"),
                ),
            ),
        ),
    )


def parse_report(
    form: Form, raw: Mapping[str, object], *, directory: Directory, today: date
) -> ReportInput:
    """Check the answers; raise FormInvalid with a plain-words error per field."""
    values, errors = clean_partly(form, raw)
    staff = values.get("subject_staff")
    if staff is not None and directory.person(str(staff)) is None:
        errors["subject_staff"] = "Please choose the member of staff from the list."
    category = Category(str(values["category"])) if values.get("category") else None
    if category is Category.STAFF_MISUSE and staff is None:
        errors["subject_staff"] = "Please choose the member of staff this is about."
    happened = values.get("happened_on")
    if isinstance(happened, date) and happened > today:
        errors["happened_on"] = "This date is in the future; please pick the day it happened."
    links = str(values.get("links") or "")
    bad = [link for link in links.split() if not _URL.match(link)]
    if bad:
        errors["links"] = "Each link should start with https:// (one per line)."
    if errors:
        raise FormInvalid(errors)
    flags = values["flags"] or []
    assert isinstance(happened, date) and isinstance(flags, list) and category is not None
    return ReportInput(
        site_id=str(values["site_id"]),
        category=category,
        description=str(values["description"]),
        happened_on=happened,
        platform=_text(values["platform"]),
        subject_staff=str(staff).lower() if staff else None,
        subject_name=_text(values["subject_name"]),
        links="\n".join(links.split()) or None,
        safeguarding=SAFEGUARDING in flags,
        on_school_device=SCHOOL_DEVICE in flags,
    )


def note_form(ref: str) -> Form:
    return Form(
        id=NOTE_FORM,
        title="Add a note",
        submit="Add note",
        context={"ref": ref},
        fields=(
            Field(
                "text",
                f"Note on {ref}",
                FieldKind.LONG_TEXT,
                max_length=2000,
                placeholder="What you did or found out",
            ),
        ),
    )


def close_form(ref: str) -> Form:
    return Form(
        id=CLOSE_FORM,
        title="Close the report",
        submit="Close report",
        context={"ref": ref},
        fields=(
            Field(
                "outcome",
                "Outcome",
                FieldKind.SELECT,
                options=tuple(Option(o.value, label) for o, label in OUTCOME_LABELS.items()),
            ),
            Field(
                "summary",
                "Summary",
                FieldKind.LONG_TEXT,
                max_length=1000,
                placeholder="What was done, in a sentence or two",
            ),
        ),
    )


def handover_form(ref: str, candidates: list[Person]) -> Form:
    return Form(
        id=HANDOVER_FORM,
        title="Hand over",
        submit="Hand over",
        context={"ref": ref},
        intro="Pass this report to a colleague who holds the same role, for example while "
        "you are away. They will be told, and the hand-over is recorded.",
        fields=(
            Field(
                "to",
                "Hand over to",
                FieldKind.SELECT,
                options=tuple(Option(p.email, p.name) for p in candidates[:100]),
            ),
        ),
    )


def parse_outcome(raw: Mapping[str, object]) -> tuple[Outcome, str]:
    values = clean_values(close_form(""), raw)
    return Outcome(str(values["outcome"])), str(values["summary"])


def _text(value: object) -> str | None:
    return str(value) if value else None


def parse_note(ref: str, raw: Mapping[str, object]) -> str:
    return str(clean_values(note_form(ref), raw)["text"])
