# Reading Adaptive Card Action.Execute data into the same field values as handlers/slack/parse.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.forms import FieldKind, Form, Option
from handlers.teams import verbs
from handlers.teams.cards import DEFAULT_ZONE

_MULTI = (FieldKind.CHECKBOXES, FieldKind.SEARCH_MANY)


def card_values(form: Form, data: Mapping[str, object]) -> dict[str, object]:
    """The answers in `data` as `handlers.slack.parse.view_values` gives them for the same
    answers: every field, str | list[str] | None; a DATE as "YYYY-MM-DD", a DATETIME as Unix
    seconds (a str), read in the zone the card was drawn in."""
    zone = _zone(data.get(verbs.ZONE_KEY))
    values: dict[str, object] = {}
    for field in form.fields:
        raw = data.get(field.name)
        if field.kind in _MULTI:
            values[field.name] = _choices(raw)
        elif field.kind is FieldKind.FILE:
            values[field.name] = None  # files come in chat, not on the card
        elif field.kind is FieldKind.DATETIME:
            values[field.name] = _moment(raw, data.get(field.name + verbs.TIME_SUFFIX), zone)
        else:
            values[field.name] = _one(raw)
    return values


def context(data: Mapping[str, object]) -> dict[str, str]:
    """The form's context, carried in the buttons' data (Slack's private_metadata)."""
    carried = data.get(verbs.CONTEXT_KEY)
    if not isinstance(carried, Mapping):
        return {}
    return {str(k): str(v) for k, v in carried.items()}


def form_id(data: Mapping[str, object]) -> str:
    return str(data.get(verbs.FORM_KEY) or "")


def action_value(data: Mapping[str, object]) -> str:
    """A message button's value."""
    return str(data.get(verbs.VALUE_KEY) or "")


def search_query(form: Form, data: Mapping[str, object]) -> tuple[str, str] | None:
    """(field name, what was typed) of a Find button; None when the field is not a search
    field of `form`."""
    name = data.get(verbs.SEARCH_KEY)
    if not isinstance(name, str) or name not in {f.name for f in form.fields}:
        return None
    typed = data.get(name + verbs.QUERY_SUFFIX)
    return name, typed.strip() if isinstance(typed, str) else ""


def card_choices(data: Mapping[str, object]) -> dict[str, list[Option]]:
    """The options the card's search fields had, for `cards.form_card(choices=...)` when the
    card is drawn again (after field errors), so that chosen options keep their labels."""
    carried = data.get(verbs.CHOICES_KEY)
    if not isinstance(carried, Mapping):
        return {}
    return {
        str(name): [Option(str(p[0]), str(p[1])) for p in pairs if _pair(p)]
        for name, pairs in carried.items()
        if isinstance(pairs, list)
    }


def found_choices(
    form: Form, data: Mapping[str, object], field: str, found: Sequence[Option]
) -> dict[str, list[Option]]:
    """The `choices` for `cards.form_card` after a search: each search field keeps the options
    the card had, except `field`, which keeps only those chosen in it, then what was `found`."""
    choices = card_choices(data)
    chosen = set(_choices(data.get(field)))
    choices[field] = [o for o in choices.get(field, []) if o.value in chosen] + list(found)
    return choices


def _pair(item: object) -> bool:
    return isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)


def _one(raw: object) -> object:
    if raw is None or raw == "":
        return None
    return raw  # not a str: bot.forms says it could not be read


def _choices(raw: object) -> object:
    if raw is None:
        return []
    if isinstance(raw, str):  # Teams joins a multi-select's values with commas
        return [value for value in raw.split(",") if value]
    return raw


def _moment(day: object, clock: object, zone: tzinfo) -> str | None:
    """A date and a time of day in `zone` as Unix seconds, as Slack's datetimepicker sends it;
    None when either is missing, text bot.forms refuses when either cannot be read."""
    if not day or not clock:
        return None
    try:
        moment = datetime.combine(date.fromisoformat(str(day)), time.fromisoformat(str(clock)))
    except ValueError:
        return f"{day} {clock}"
    return str(int(moment.replace(tzinfo=zone).timestamp()))


def _zone(name: object) -> tzinfo:
    try:
        return ZoneInfo(str(name)) if isinstance(name, str) and name else DEFAULT_ZONE
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return DEFAULT_ZONE
