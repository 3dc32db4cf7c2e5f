# One form field as Adaptive Card inputs (pure): its widget, its value, hint and error.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any

from bot.forms import Field, FieldKind, Form, Option
from handlers.teams import verbs
from handlers.teams.text import attention, subtle, text_block

SEARCH_KINDS = (FieldKind.SEARCH, FieldKind.SEARCH_MANY, FieldKind.PERSON)
MULTI_KINDS = (FieldKind.CHECKBOXES, FieldKind.SEARCH_MANY)
_UNSET = object()
FILE_IN_CHAT = "This form cannot take a file: send it to me in this chat instead."


def required_words(field: Field) -> str:
    """What Teams says when a required input is left empty: the words bot.forms uses."""
    if field.kind is FieldKind.CHECKBOXES:
        return f"Please tick at least one box for “{field.label}”."
    if field.kind is FieldKind.SEARCH_MANY:
        return f"Please choose at least one for “{field.label}”."
    return f"Please fill in “{field.label}”."


def label(field: Field, checked: bool) -> str:
    """The field's label; where Teams cannot mark required inputs (`checked` is off), optional
    ones say so, as on Slack."""
    if checked or field.required or "optional" in field.label.lower():
        return field.label
    return f"{field.label} (optional)"


def has_search(form: Form) -> bool:
    return any(f.kind in SEARCH_KINDS for f in form.fields)


def search_choices(
    field: Field, values: Mapping[str, object] | None, extra: Sequence[Option]
) -> list[Option]:
    """A search field's options on the card: what it started with, what the last search found
    (`extra`), and whatever is chosen (titled by its value when no label is known)."""
    current = values.get(field.name, _UNSET) if values is not None else _UNSET
    seen: dict[str, Option] = {}
    for option in (*field.initial_options, *field.options, *extra):
        seen.setdefault(option.value, option)
    for value in _card_value(field, current).split(","):
        if value:
            seen.setdefault(value, Option(value, value))
    return list(seen.values())


def field_items(
    form: Form,
    field: Field,
    *,
    values: Mapping[str, object] | None,
    error: str | None,
    choices: Sequence[Option],
    data: Mapping[str, object],
    zone: tzinfo,
) -> list[dict[str, Any]]:
    """The elements of one field, in order: input(s), the server's error, the hint; for a
    search field, `choices` are its options (`search_choices`) and `data` what its Find button
    carries besides the field's name (the form's keys)."""
    current = values.get(field.name, _UNSET) if values is not None else _UNSET
    checked = not has_search(form)  # a required input would block the search buttons
    search: list[dict[str, Any]] = []
    if field.kind is FieldKind.FILE:  # a card cannot take a file: it is sent in chat instead
        return [text_block(field.label, weight="Bolder"), subtle(field.elsewhere or FILE_IN_CHAT)]
    if field.kind is FieldKind.DATETIME:
        items = [_moment_inputs(field, current, zone, checked)]
    elif field.kind in SEARCH_KINDS:
        items, search = _search_inputs(form, field, current, choices, data)
    else:
        items = [_input(field, current, checked)]
    if error:
        items.append(attention(error))
    if field.hint:
        items.append(subtle(field.hint))
    return items + search


def _input(field: Field, current: object, checked: bool) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "", "id": field.name, "label": label(field, checked)}
    if field.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        element["type"] = "Input.Text"
        if field.kind is FieldKind.LONG_TEXT:
            element["isMultiline"] = True
        if field.max_length:
            element["maxLength"] = field.max_length
    elif field.kind is FieldKind.DATE:
        element["type"] = "Input.Date"
    else:  # SELECT, CHECKBOXES
        element["type"] = "Input.ChoiceSet"
        element["choices"] = [_choice(o) for o in field.options]
        element["style"] = "expanded" if field.kind is FieldKind.CHECKBOXES else "compact"
        if field.kind is FieldKind.CHECKBOXES:
            element["isMultiSelect"] = True
    if field.placeholder and field.kind is not FieldKind.CHECKBOXES:
        element["placeholder"] = field.placeholder
    value = _card_value(field, current)
    if value:
        element["value"] = value
    return _required(element, field, checked)


def _search_inputs(
    form: Form,
    field: Field,
    current: object,
    options: Sequence[Option],
    data: Mapping[str, object],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The options known so far as a choice set (none before a first search: a choice set
    needs one), then a query box and a Find button that asks the bot for more (typeahead,
    Data.Query, needs card version 1.6)."""
    query: dict[str, Any] = {
        "type": "Input.Text",
        "id": field.name + verbs.QUERY_SUFFIX,
        "label": "Find another" if options else label(field, checked=False),
        "placeholder": field.placeholder or "Type a name",
        "maxLength": 100,
    }
    find = {
        "type": "Action.Execute",
        "title": "Find",
        "verb": verbs.search_verb(form.id),
        "data": {**data, verbs.SEARCH_KEY: field.name},
    }
    search = [query, {"type": "ActionSet", "actions": [find], "spacing": "Small"}]
    if not options:
        return search, []
    element: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": field.name,
        "label": label(field, checked=False),
        "style": "compact",
        "choices": [_choice(o) for o in options],
        "placeholder": "Choose",
    }
    if field.kind is FieldKind.SEARCH_MANY:
        element["isMultiSelect"] = True
    value = _card_value(field, current)
    if value:
        element["value"] = value
    return [element], search


def _moment_inputs(field: Field, current: object, zone: tzinfo, checked: bool) -> dict[str, Any]:
    """A DATETIME field as a date and a time, side by side, in `zone`."""
    moment = _moment(_card_value(field, current), zone)
    day: dict[str, Any] = {"type": "Input.Date", "id": field.name, "label": label(field, checked)}
    time: dict[str, Any] = {
        "type": "Input.Time",
        "id": field.name + verbs.TIME_SUFFIX,
        "label": "Time",
    }
    if moment:
        day["value"] = moment.date().isoformat()
        time["value"] = moment.strftime("%H:%M")
    columns = [
        {"type": "Column", "width": "stretch", "items": [_required(day, field, checked)]},
        {"type": "Column", "width": "stretch", "items": [_required(time, field, checked)]},
    ]
    return {"type": "ColumnSet", "columns": columns}


def _moment(text: str, zone: tzinfo) -> datetime | None:
    """A DATETIME value (Unix seconds as Slack sends it, or ISO 8601) in `zone`."""
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), zone)
        moment = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return moment.astimezone(zone) if moment.tzinfo else None


def _card_value(field: Field, current: object) -> str:
    """The value an input shows: the answer given, else the field's initial value."""
    if current is _UNSET:
        if field.kind in SEARCH_KINDS:  # as Slack: the first one, or all when many
            many = field.kind is FieldKind.SEARCH_MANY
            shown = field.initial_options if many else field.initial_options[:1]
            return ",".join(o.value for o in shown)
        current = field.initial
    if current is None:
        return ""
    if isinstance(current, str):
        return current
    if isinstance(current, date):
        return current.isoformat()
    if isinstance(current, Sequence):
        return ",".join(str(v) for v in current)
    return str(current)


def _required(element: dict[str, Any], field: Field, checked: bool) -> dict[str, Any]:
    if field.required and checked:
        element["isRequired"] = True
        element["errorMessage"] = required_words(field)
    return element


def _choice(option: Option) -> dict[str, str]:
    return {"title": option.label, "value": option.value}
