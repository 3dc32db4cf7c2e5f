# The /consent forms as data: find a pupil, then see their consent and record a change.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.consent import messages
from bot.consent.model import USE_LABELS, USES, Consent, HistoryEntry, Pupil, Source, use_key
from bot.directory import Directory
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly

PICK_FORM = "consent_pick"
CHANGE_FORM = "consent_change"
PUPIL_FIELD = "consent_pupil"  # its options come from a search of the register
MAX_NOTE = 500
HOW_OPTIONS = (
    Option(Source.LETTER.value, "Letter"),
    Option(Source.EMAIL.value, "E-mail"),
    Option(Source.FORM.value, "Consent form"),
)


@dataclass(frozen=True)
class ChangeInput:
    """A checked change of consent."""

    pupil_id: int
    seen_version: int
    consent: Consent
    changed_on: date
    source: Source
    note: str | None


def pick_form() -> Form:
    return Form(
        id=PICK_FORM,
        title="Consent register",
        submit="Look up",
        intro="Find the pupil by name. You see the pupils of the registers you keep.",
        fields=(
            Field(
                PUPIL_FIELD,
                "Pupil",
                FieldKind.SEARCH,
                placeholder="Type a first, preferred or last name",
            ),
        ),
    )


def parse_pick(values: Mapping[str, object]) -> int:
    chosen = values.get(PUPIL_FIELD)
    if not isinstance(chosen, str) or not chosen.isdigit():
        raise FormInvalid({PUPIL_FIELD: "Please choose a pupil from the list."})
    return int(chosen)


def change_form(
    pupil: Pupil, history: list[HistoryEntry], directory: Directory, zone: ZoneInfo, today: date
) -> Form:
    """The pupil's consent now and its history, with the consents ticked as they are."""
    intro = (
        f"*{messages.option_label(pupil, directory)}*\n"
        f"{messages.current_consent(pupil)}\n\n"
        f"*History*\n{messages.history_lines(history, directory, zone)}"
    )
    return Form(
        id=CHANGE_FORM,
        title="Consent register",
        submit="Record change",
        intro=intro,
        context={"pupil": str(pupil.id), "version": str(pupil.version)},
        fields=_change_fields(pupil.consent.ticked(), today),
    )


def _change_fields(ticked: tuple[str, ...], today: date | None) -> tuple[Field, ...]:
    return (
        Field(
            "consent",
            "Consent given for",
            FieldKind.CHECKBOXES,
            required=False,
            options=tuple(Option(use_key(*use), USE_LABELS[use]) for use in USES),
            initial=ticked,
            hint="Untick what a parent or the pupil has withdrawn; tick what they now allow.",
        ),
        Field(
            "changed_on",
            "Date of the change",
            FieldKind.DATE,
            initial=today.isoformat() if today else None,
            hint="The date of the letter, e-mail or form.",
        ),
        Field("how", "How did it come?", FieldKind.SELECT, options=HOW_OPTIONS),
        Field(
            "note",
            "Note",
            FieldKind.LONG_TEXT,
            required=False,
            max_length=MAX_NOTE,
            placeholder="Anything the office should know (optional)",
        ),
    )


def parse_change(values: Mapping[str, object], context: Mapping[str, str]) -> ChangeInput:
    """The answers of the change form and the pupil it is about (from its context);
    FormInvalid naming every problem."""
    form = Form(CHANGE_FORM, "", "", _change_fields((), None))
    cleaned, errors = clean_partly(form, values)
    pupil, version = context.get("pupil", ""), context.get("version", "")
    if not (pupil.isdigit() and version.isdigit()):
        raise FormInvalid({"consent": "This form has lost its pupil; please start again."})
    if errors:
        raise FormInvalid(errors)
    ticked = cleaned.get("consent") or []
    changed_on = cleaned["changed_on"]
    assert isinstance(ticked, list) and isinstance(changed_on, date)
    note = cleaned.get("note")
    return ChangeInput(
        pupil_id=int(pupil),
        seen_version=int(version),
        consent=Consent.of(ticked),
        changed_on=changed_on,
        source=Source(str(cleaned["how"])),
        note=note if isinstance(note, str) else None,
    )
