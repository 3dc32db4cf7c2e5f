# The declaration forms as data: the declaration itself, a question, a reply, and ending one.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.declarations.model import (
    END_REASON_LABELS,
    PLATFORMS,
    RELATIONSHIP_LABELS,
    EndReason,
    Relationship,
)
from bot.directory import Directory
from bot.errors import FormInvalid
from bot.forms import Field, FieldKind, Form, Option, clean_partly, clean_values

DECLARATION_FORM = "declaration"
QUESTION_FORM = "declaration_question"
REPLY_FORM = "declaration_reply"
END_FORM = "declaration_end"
PUPIL_FIELD = "declaration_pupil"
MAX_NAME = 100
MAX_DESCRIPTION = 200
MAX_NOTE = 1000
MAX_QUESTION = 500

WHY = (
    "The policy (section 4) asks you to tell your Safeguarding Lead when you are connected on "
    "your personal social media with a pupil who is your own child, a relative or a close friend "
    "of the family. Only the Safeguarding Leads of the pupil's school, and you, will see this."
)


@dataclass(frozen=True)
class DeclarationInput:
    """A checked declaration: a pupil picked from the register, or a name and school typed."""

    pupil_id: int | None
    pupil_name: str | None
    site_id: str | None
    relationship: Relationship
    description: str | None
    platforms: tuple[str, ...]
    since: date
    note: str | None


def declaration_form(directory: Directory, email: str) -> Form:
    """The form for a member of staff: their first school is the default school for a typed
    name, and every school of the Trust can be chosen."""
    schools = directory.schools()
    own = [s.id for s in directory.sites_of(email) if s.kind == "school"]
    return Form(
        id=DECLARATION_FORM,
        title="Declare a connection",
        submit="Send to Safeguarding",
        intro=WHY,
        fields=(
            Field(
                PUPIL_FIELD,
                "The pupil",
                FieldKind.SEARCH,
                required=False,
                hint="Start typing their name. If they are not listed, type it in the next box.",
            ),
            Field(
                "pupil_name",
                "Or their name, if not listed",
                FieldKind.TEXT,
                required=False,
                max_length=MAX_NAME,
            ),
            Field(
                "pupil_site",
                "Their school, if you typed the name",
                FieldKind.SELECT,
                required=False,
                options=tuple(Option(s.id, s.name) for s in schools),
                initial=own[0] if own else None,
            ),
            Field(
                "relationship",
                "The pupil is",
                FieldKind.SELECT,
                options=tuple(Option(r.value, label) for r, label in RELATIONSHIP_LABELS.items()),
            ),
            Field(
                "description",
                "If other, how are you connected?",
                FieldKind.TEXT,
                required=False,
                max_length=MAX_DESCRIPTION,
            ),
            Field(
                "platforms",
                "Where are you connected?",
                FieldKind.CHECKBOXES,
                options=tuple(Option(p, p) for p in PLATFORMS),
            ),
            Field("since", "Since when (roughly)?", FieldKind.DATE),
            Field(
                "note",
                "Anything else your Safeguarding Lead should know",
                FieldKind.LONG_TEXT,
                required=False,
                max_length=MAX_NOTE,
            ),
        ),
    )


def parse_declaration(form: Form, raw: Mapping[str, object], today: date) -> DeclarationInput:
    """Check the answers; FormInvalid names every field to put right, in plain words."""
    values, errors = clean_partly(form, raw)
    picked, typed = values.get(PUPIL_FIELD), values.get("pupil_name")
    if picked and typed:
        errors["pupil_name"] = "Please pick the pupil from the list or type a name, not both."
    elif not picked and not typed and PUPIL_FIELD not in errors:
        errors[PUPIL_FIELD] = "Please pick the pupil, or type their name in the next box."
    if typed and not values.get("pupil_site") and "pupil_site" not in errors:
        errors["pupil_site"] = "Please choose the pupil's school, so the right person is told."
    if picked and not str(picked).isdigit():
        errors[PUPIL_FIELD] = "Please pick the pupil from the list again."
    relationship = values.get("relationship")
    if relationship == Relationship.OTHER.value and not values.get("description"):
        errors["description"] = "Please say how you are connected."
    since = values.get("since")
    if isinstance(since, date) and since > today:
        errors["since"] = "Please choose a date that is not in the future."
    if errors:
        raise FormInvalid(errors)
    assert isinstance(since, date) and isinstance(relationship, str)
    platforms = values.get("platforms") or []
    assert isinstance(platforms, list)
    return DeclarationInput(
        pupil_id=int(str(picked)) if picked else None,
        pupil_name=str(typed) if typed else None,
        site_id=str(values["pupil_site"]) if typed else None,
        relationship=Relationship(relationship),
        description=_text(values.get("description")) if relationship == "other" else None,
        platforms=tuple(platforms),
        since=since,
        note=_text(values.get("note")),
    )


def question_form(ref: str, *, reply: bool) -> Form:
    """A Safeguarding Lead's question to the member of staff, or the member of staff's reply."""
    if reply:
        title, submit, label = "Reply", "Send reply", "Your reply"
        intro = f"Your reply goes to the Safeguarding Leads who received {ref}."
    else:
        title, submit, label = "Ask a question", "Send question", "Your question"
        intro = f"The member of staff who made {ref} gets this as a direct message."
    return Form(
        id=REPLY_FORM if reply else QUESTION_FORM,
        title=title,
        submit=submit,
        intro=intro,
        context={"ref": ref},
        fields=(Field("text", label, FieldKind.LONG_TEXT, max_length=MAX_QUESTION),),
    )


def parse_question(ref: str, raw: Mapping[str, object], *, reply: bool) -> str:
    return str(clean_values(question_form(ref, reply=reply), raw)["text"])


def end_form(ref: str) -> Form:
    return Form(
        id=END_FORM,
        title="End a declaration",
        submit="End it",
        intro=f"{ref} will be kept in the register as ended. Your Safeguarding Lead is told.",
        context={"ref": ref},
        fields=(
            Field(
                "reason",
                "Why has it ended?",
                FieldKind.SELECT,
                options=tuple(Option(r.value, label) for r, label in END_REASON_LABELS.items()),
            ),
            Field("note", "Anything to add", FieldKind.TEXT, required=False, max_length=300),
        ),
    )


def parse_end(ref: str, raw: Mapping[str, object]) -> tuple[EndReason, str | None]:
    values = clean_values(end_form(ref), raw)
    return EndReason(str(values["reason"])), _text(values.get("note"))


def _text(value: object) -> str | None:
    return str(value) if value else None
