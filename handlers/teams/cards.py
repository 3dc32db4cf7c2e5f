# Adaptive Card 1.5 rendering of the domain's forms and messages (pure functions, no I/O).
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from bot.forms import FieldKind, Form, Option
from bot.messages import Action, Message, Style
from handlers.teams import verbs
from handlers.teams.inputs import SEARCH_KINDS, field_items, search_choices
from handlers.teams.text import MAX_FACT, attention, cut, escape, heading, subtle, text_block

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
MAX_CARD_BYTES = 24_000  # Teams refuses activities over about 28 KB; room for the envelope
MAX_ACTIONS = 6  # Teams' host config: actions per card or action set
DEFAULT_ZONE = ZoneInfo("Europe/London")  # Settings.timezone's default; pass settings.zone
CHECK_ANSWERS = "Please check the answers marked below."
_STYLES = {Style.PRIMARY: "positive", Style.DANGER: "destructive"}


def form_card(
    form: Form,
    *,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, object] | None = None,
    choices: Mapping[str, Sequence[Option]] | None = None,
    zone: tzinfo | None = None,
) -> dict[str, Any]:
    """A form as a card: every field as inputs, `errors` (field name -> plain words) under
    their inputs, `values` (as `parse.card_values` returns them) kept in place of the initial
    values, `choices` (field name -> options a search found) added to search fields, DATETIME
    fields in `zone`. Submit is `Action.Execute` with verb "form:<form id>"."""
    errors = errors or {}
    zone = zone or DEFAULT_ZONE
    body: list[dict[str, Any]] = [heading(form.title)]
    if form.intro:
        body.append(text_block(form.intro))
    names = {f.name for f in form.fields}
    if errors.keys() & names:
        body.append(attention(CHECK_ANSWERS))
    body += [attention(text) for name, text in errors.items() if name not in names]
    shown = {
        f.name: search_choices(f, values, (choices or {}).get(f.name, ()))
        for f in form.fields
        if f.kind in SEARCH_KINDS
    }
    data = _form_data(form, shown, zone)
    for field in form.fields:
        body += field_items(
            form,
            field,
            values=values,
            error=errors.get(field.name),
            choices=shown.get(field.name, ()),
            data=data,
            zone=zone,
        )
    submit = {
        "type": "Action.Execute",
        "title": form.submit,
        "verb": verbs.form_verb(form.id),
        "data": data,
        "style": "positive",
    }
    cancel = {
        "type": "Action.Execute",
        "title": "Cancel",
        "verb": verbs.CANCEL_VERB,
        "data": {verbs.FORM_KEY: form.id},
        "associatedInputs": "none",
    }
    if all(f.kind is FieldKind.FILE for f in form.fields):  # nothing to fill in on a card
        return _card(body, form.title, actions=[])
    return _card(body, form.title, actions=[submit, cancel])


def _form_data(form: Form, shown: Mapping[str, list[Option]], zone: tzinfo) -> dict[str, Any]:
    """What every button of a form carries besides the inputs."""
    data: dict[str, Any] = {verbs.FORM_KEY: form.id, verbs.CONTEXT_KEY: dict(form.context)}
    if any(f.kind is FieldKind.DATETIME for f in form.fields):
        data[verbs.ZONE_KEY] = str(getattr(zone, "key", zone))
    if shown:
        data[verbs.CHOICES_KEY] = {
            name: [[o.value, o.label] for o in options] for name, options in shown.items()
        }
    return data


def message_card(message: Message) -> dict[str, Any]:
    """A message as a card: title, body, facts, sections, footer, and each button as
    `Action.Execute` with verb = the action's id and data {"value": its value}."""
    actions = [_button(a) for a in message.actions]
    body = _message_items(message, with_actions=len(actions) > MAX_ACTIONS)
    if len(actions) > MAX_ACTIONS:
        return _card(body, message.notification)
    return _card(body, message.notification, actions=actions)


def notice_card(title: str, text: str) -> dict[str, Any]:
    """A card that only says something (a confirmation or a refusal)."""
    return _card([heading(title), text_block(text)], title)


def pages_card(pages: Sequence[Message], cut_note: Callable[[int], str]) -> dict[str, Any]:
    """Several messages in one card, one under the other; when they would make the card too
    big for Teams, the first ones and `cut_note(how many were shown)`."""
    fallback = pages[0].notification if pages else ""
    body: list[dict[str, Any]] = []
    shown = 0
    for page in pages:
        container = {"type": "Container", "items": _message_items(page, with_actions=True)}
        if body:
            container.update(separator=True, spacing="Large")
        trial = _card([*body, container, subtle(cut_note(shown + 1))], fallback)
        if _size(trial) > MAX_CARD_BYTES:
            break
        body.append(container)
        shown += 1
    if shown < len(pages):
        body.append(subtle(cut_note(shown)))
    return _card(body, fallback)


def attachment(card: Mapping[str, Any]) -> dict[str, Any]:
    """A card as an activity attachment."""
    return {"contentType": CONTENT_TYPE, "content": dict(card)}


def card_size(card: Mapping[str, Any]) -> int:
    """Bytes of the card as JSON (ASCII-escaped, as the SDK sends it)."""
    return _size(card)


def _message_items(message: Message, *, with_actions: bool) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [heading(message.title)]
    if message.body:
        items.append(text_block(message.body))
    if message.facts:
        facts = [
            {"title": escape(cut(k, 200)), "value": escape(cut(v, MAX_FACT))}
            for k, v in message.facts
        ]
        items.append({"type": "FactSet", "facts": facts})
    for section in message.sections:
        items.append(text_block(section.title, 200, weight="Bolder", spacing="Medium"))
        items.append(text_block(section.text, spacing="Small"))
    if with_actions and message.actions:
        buttons = [_button(a) for a in message.actions]
        for start in range(0, len(buttons), MAX_ACTIONS):
            items.append({"type": "ActionSet", "actions": buttons[start : start + MAX_ACTIONS]})
    if message.footer:
        items.append(subtle(message.footer))
    return items


def _button(action: Action) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "Action.Execute",
        "title": action.label,
        "verb": str(action.id),
        "data": {verbs.VALUE_KEY: action.value},
    }
    if action.style in _STYLES:
        button["style"] = _STYLES[action.style]
    return button


def _card(
    body: list[dict[str, Any]], fallback: str, *, actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """`fallback` is what a client that cannot show the card shows: a notification line or a
    form's title, never a pupil's name."""
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "fallbackText": fallback,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _size(card: Mapping[str, Any]) -> int:
    return len(json.dumps(card).encode())
