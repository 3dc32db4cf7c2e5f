# Reading Slack payloads into plain field values for the domain.
from __future__ import annotations

import json
from typing import Any

from bot.files import Upload


def view_values(view: dict[str, Any]) -> dict[str, object]:
    """`view.state.values` as {field name: str | list[str] | tuple[Upload, ...] | None}."""
    values: dict[str, object] = {}
    state = view.get("state", {}).get("values", {})
    if not isinstance(state, dict):
        return values
    for block_id, actions in state.items():
        if not isinstance(actions, dict):
            continue
        for action in actions.values():
            if isinstance(action, dict):
                values[block_id] = _value(action)
    return values


def _value(action: dict[str, Any]) -> object:
    kind = action.get("type")
    if kind in ("static_select", "external_select"):
        selected = action.get("selected_option") or {}
        return selected.get("value") if isinstance(selected, dict) else None
    if kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        return [o.get("value") for o in action.get("selected_options") or [] if isinstance(o, dict)]
    if kind == "datepicker":
        return action.get("selected_date")
    if kind == "datetimepicker":
        moment = action.get("selected_date_time")
        return str(moment) if isinstance(moment, int) else None
    if kind == "users_select":
        return action.get("selected_user")
    if kind == "file_input":  # no file given reads as None, as on Teams
        files = tuple(_upload(f) for f in action.get("files") or [] if isinstance(f, dict))
        return files or None
    return action.get("value")


def _upload(file: dict[str, Any]) -> Upload:
    """A file given in a form; the bot fetches it later by its id (files.info)."""
    size = file.get("size")
    return Upload(
        channel="slack",
        file_id=str(file.get("id") or ""),
        name=str(file.get("name") or file.get("title") or "screenshot")[:200],
        mimetype=str(file.get("mimetype") or ""),
        size=size if isinstance(size, int) else None,
    )


def metadata(view: dict[str, Any]) -> dict[str, str]:
    """The form's context, carried in private_metadata."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def action_value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def action_key(body: dict[str, Any]) -> str:
    """A key unique to one click: the action's timestamp."""
    actions = body.get("actions") or [{}]
    return f"slack:action:{actions[0].get('action_ts') or ''}"
