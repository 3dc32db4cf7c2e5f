# Forms as data: fields, labels, options and limits, described once and rendered by each channel.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum

from bot.errors import FormInvalid
from bot.files import MAX_BYTES, MAX_SIZE, Upload

FieldValue = str | list[str] | date | datetime | tuple[Upload, ...] | None


class FieldKind(StrEnum):
    """What a person fills in; each channel renders each kind with its own widget."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    SELECT = "select"
    PERSON = "person"  # a member of staff from the directory, searched by name
    DATE = "date"
    CHECKBOXES = "checkboxes"
    SEARCH = "search"  # one record found by typing (a pupil, an account); options come from a query
    SEARCH_MANY = "search_many"  # several records found by typing
    DATETIME = "datetime"  # a date and a time of day, in the Trust's time zone
    FILE = "file"  # files given with the form (Slack); a channel that cannot take one says how


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One question on a form."""

    name: str
    label: str
    kind: FieldKind
    required: bool = True
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    hint: str | None = None
    placeholder: str | None = None
    initial: str | tuple[str, ...] | None = None
    initial_options: tuple[Option, ...] = ()  # what a SEARCH or SEARCH_MANY field starts with
    max_files: int = 1  # a FILE field's limit
    accept: tuple[str, ...] = ()  # a FILE field's file name extensions, when it limits them
    elsewhere: str | None = None  # how to give a FILE field where a channel's form cannot

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Form:
    """A whole form; `context` travels with it (for example the record it is about)."""

    id: str
    title: str
    submit: str
    fields: tuple[Field, ...]
    intro: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def clean_values(form: Form, raw: Mapping[str, object]) -> dict[str, FieldValue]:
    """Check raw answers against the form's own rules; raise FormInvalid with every field error."""
    values, errors = clean_partly(form, raw)
    if errors:
        raise FormInvalid(errors)
    return values


def clean_partly(
    form: Form, raw: Mapping[str, object]
) -> tuple[dict[str, FieldValue], dict[str, str]]:
    """The answers that passed the form's rules, and an error for each one that did not, so a
    flow can add its own checks and report every problem at once."""
    values: dict[str, FieldValue] = {}
    errors: dict[str, str] = {}
    for spec in form.fields:
        try:
            values[spec.name] = _clean(spec, raw.get(spec.name))
        except ValueError as error:
            errors[spec.name] = str(error)
    return values, errors


def _clean(spec: Field, raw: object) -> FieldValue:
    if spec.kind is FieldKind.FILE:
        return _files(spec, raw)
    if spec.kind is FieldKind.SEARCH_MANY:
        chosen = _as_list(raw)
        if spec.required and not chosen:
            raise ValueError(f"Please choose at least one for “{spec.label}”.")
        return chosen
    if spec.kind is FieldKind.CHECKBOXES:
        chosen = _as_list(raw)
        allowed = {o.value for o in spec.options}
        if any(value not in allowed for value in chosen):
            raise ValueError("Please choose from the options shown.")
        if spec.required and not chosen:
            raise ValueError(f"Please tick at least one box for “{spec.label}”.")
        return chosen
    if raw is not None and not isinstance(raw, str):
        raise ValueError("This answer could not be read; please fill it in again.")
    text = (raw or "").strip()
    if not text:
        if spec.required:
            raise ValueError(f"Please fill in “{spec.label}”.")
        return None
    if spec.max_length is not None and len(text) > spec.max_length:
        raise ValueError(
            f"Please keep this to {spec.max_length} characters or fewer (it is {len(text)})."
        )
    if spec.kind is FieldKind.SELECT and text not in {o.value for o in spec.options}:
        raise ValueError("Please choose one of the options shown.")
    if spec.kind is FieldKind.DATE:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("Please pick a date from the calendar.") from None
    if spec.kind is FieldKind.DATETIME:
        return _moment(text)
    return text


def _files(spec: Field, raw: object) -> tuple[Upload, ...]:
    if raw is None or raw == "":
        raw = ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise ValueError("This file could not be read; please add it again.")
    files = tuple(raw)
    if not all(isinstance(f, Upload) for f in files):
        raise ValueError("This file could not be read; please add it again.")
    if spec.required and not files:
        raise ValueError(f"Please add a file for “{spec.label}”.")
    if len(files) > spec.max_files:
        raise ValueError(f"Please add at most {spec.max_files} file(s) here.")
    big = next((f for f in files if f.size is not None and f.size > MAX_BYTES), None)
    if big is not None:
        raise ValueError(f"“{big.name}” is bigger than {MAX_SIZE}; please add a smaller copy.")
    return files


def _moment(text: str) -> datetime:
    """A date and time as a channel sends it: Unix seconds (Slack) or ISO 8601 (Teams)."""
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise ValueError("Please pick a date and a time.") from None
    if moment.tzinfo is None:
        raise ValueError("Please pick a date and a time.")
    return moment.astimezone(UTC)


def _as_list(raw: object) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Sequence) and all(isinstance(v, str) for v in raw):
        return list(raw)
    raise ValueError("This answer could not be read; please fill it in again.")
