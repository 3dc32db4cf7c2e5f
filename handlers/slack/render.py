# Block Kit rendering of the domain's forms and messages (pure functions, no I/O).
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.forms import Field, FieldKind, Form
from bot.messages import Message, Style

MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_OPTIONS = 100
MAX_MESSAGE_BLOCKS = 50


def escape(text: str) -> str:
    """Keep people's words as words: no mentions, links or formatting injected through them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text, limit)}


def message_blocks(message: Message) -> list[dict[str, Any]]:
    """A message as blocks: header, body, facts, sections, buttons, footer."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": plain(message.title, 150)}]
    if message.body:
        blocks.append({"type": "section", "text": mrkdwn(escape(message.body))})
    facts = [mrkdwn(f"*{escape(k)}*\n{escape(v)}", MAX_FIELD) for k, v in message.facts]
    for start in range(0, len(facts), 10):
        blocks.append({"type": "section", "fields": facts[start : start + 10]})
    for section in message.sections:
        text = f"*{escape(section.title)}*\n{escape(section.text)}"
        blocks.append({"type": "section", "text": mrkdwn(text)})
    if message.actions:
        blocks.append({"type": "actions", "elements": [_button(a) for a in message.actions]})
    if message.footer:
        blocks.append({"type": "context", "elements": [mrkdwn(escape(message.footer))]})
    return blocks


def ephemeral_pages(pages: list[Message], cut_note: Callable[[int], str]) -> dict[str, Any]:
    """Several messages as one private reply; when they are too many for Slack, the first
    ones and `cut_note(how many were shown)`."""
    blocks: list[dict[str, Any]] = []
    shown = 0
    for page in pages:
        more = ([{"type": "divider"}] if blocks else []) + message_blocks(page)
        if len(blocks) + len(more) > MAX_MESSAGE_BLOCKS - 1:
            break
        blocks += more
        shown += 1
    if shown < len(pages):
        blocks.append({"type": "context", "elements": [mrkdwn(escape(cut_note(shown)))]})
    return {"response_type": "ephemeral", "text": pages[0].notification, "blocks": blocks}


def message_args(message: Message) -> dict[str, Any]:
    """Arguments for chat.postMessage / chat.update: `text` is what notifications show."""
    return {"text": message.notification, "blocks": message_blocks(message)}


def _button(action: Any) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": str(action.id),
        "text": plain(action.label, 75),
        "value": action.value,
    }
    if action.style is not Style.DEFAULT:
        button["style"] = action.style.value
    return button


def modal(form: Form, *, errors_hint: str | None = None) -> dict[str, Any]:
    """A form as a modal view; block and action ids are the field names."""
    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks.append({"type": "section", "text": mrkdwn(escape(form.intro))})
    blocks += [_input(field) for field in form.fields]
    return {
        "type": "modal",
        "callback_id": form.id,
        "title": plain(form.title, 24),
        "submit": plain(form.submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(dict(form.context)),
        "blocks": blocks,
    }


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (a confirmation or a refusal)."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Done", 24),
        "blocks": [{"type": "section", "text": mrkdwn(escape(text))}],
    }


def home_view(messages: list[Message]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    for message in messages:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += message_blocks(message)
    return {"type": "home", "blocks": blocks[:100]}


def _input(field: Field) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.name,
        "label": plain(field.label, 2000),
        "optional": not field.required,
        "element": _element(field),
    }
    if field.hint:
        block["hint"] = plain(field.hint, 2000)
    return block


def _element(field: Field) -> dict[str, Any]:
    element: dict[str, Any] = {"action_id": field.name}
    if field.placeholder and field.kind is not FieldKind.CHECKBOXES:
        element["placeholder"] = plain(field.placeholder, 150)
    if field.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        element["type"] = "plain_text_input"
        element["multiline"] = field.kind is FieldKind.LONG_TEXT
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        if isinstance(field.initial, str) and field.initial:
            element["initial_value"] = field.initial
    elif field.kind is FieldKind.SELECT:
        element["type"] = "static_select"
        element["options"] = [_option(o.value, o.label) for o in field.options[:MAX_OPTIONS]]
        if isinstance(field.initial, str):
            element["initial_option"] = _option(field.initial, field.option_label(field.initial))
    elif field.kind in (FieldKind.PERSON, FieldKind.SEARCH):
        element["type"] = "external_select"
        element["min_query_length"] = 1
        if field.initial_options:
            element["initial_option"] = _option(*_pair(field.initial_options[0]))
    elif field.kind is FieldKind.SEARCH_MANY:
        element["type"] = "multi_external_select"
        element["min_query_length"] = 1
        if field.initial_options:
            element["initial_options"] = [_option(*_pair(o)) for o in field.initial_options]
    elif field.kind is FieldKind.DATETIME:
        element["type"] = "datetimepicker"
        if isinstance(field.initial, str) and field.initial.isdigit():
            element["initial_date_time"] = int(field.initial)
    elif field.kind is FieldKind.DATE:
        element["type"] = "datepicker"
        if isinstance(field.initial, str):
            element["initial_date"] = field.initial
    elif field.kind is FieldKind.FILE:  # needs the files:read scope
        element["type"] = "file_input"
        element["max_files"] = field.max_files
        if field.accept:
            element["filetypes"] = list(field.accept)
    elif field.kind is FieldKind.CHECKBOXES:
        element["type"] = "checkboxes"
        element["options"] = [_option(o.value, o.label) for o in field.options]
        ticked = field.initial if isinstance(field.initial, tuple) else ()
        if ticked:
            element["initial_options"] = [
                _option(o.value, o.label) for o in field.options if o.value in ticked
            ]
    return element


def _pair(option: Any) -> tuple[str, str]:
    return option.value, option.label


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label, 75), "value": value}


def options(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The answer to an external_select search."""
    return {"options": [_option(value, label) for value, label in pairs[:MAX_OPTIONS]]}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
