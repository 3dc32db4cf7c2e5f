# SlackRequests: sends signed Slack requests (commands, interactions, events) to the bot under test.
from __future__ import annotations

import copy
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_api import FakeSlack

Answer = str | list[str] | tuple[str, str] | dict[str, Any] | None
# element type -> (state key, kind) where kind says how an answer becomes the state value
STATE_KEYS: dict[str, tuple[str, str]] = {
    "plain_text_input": ("value", "str"),
    "email_text_input": ("value", "str"),
    "url_text_input": ("value", "str"),
    "number_input": ("value", "str"),
    "static_select": ("selected_option", "option"),
    "radio_buttons": ("selected_option", "option"),
    "external_select": ("selected_option", "external"),
    "checkboxes": ("selected_options", "options"),
    "multi_static_select": ("selected_options", "options"),
    "multi_external_select": ("selected_options", "externals"),
    "datepicker": ("selected_date", "str"),
    "timepicker": ("selected_time", "str"),
    "datetimepicker": ("selected_date_time", "int"),
    "users_select": ("selected_user", "str"),
    "multi_users_select": ("selected_users", "list"),
    "conversations_select": ("selected_conversation", "str"),
    "multi_conversations_select": ("selected_conversations", "list"),
    "channels_select": ("selected_channel", "str"),
    "multi_channels_select": ("selected_channels", "list"),
    "rich_text_input": ("rich_text_value", "rich"),
    "file_input": ("files", "list"),  # file objects, as FakeSlack.add_file returns them
}


def _initial(element: dict[str, Any], state_key: str) -> Any:
    """The element's initial_* value matching a state key (selected_date -> initial_date)."""
    name = "value" if state_key.endswith("value") else state_key.removeprefix("selected_")
    return copy.deepcopy(element.get("initial_" + name))


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    groups = element.get("option_groups") or []
    return list(element.get("options") or []) + [o for g in groups for o in g.get("options", [])]


def _option(element: dict[str, Any], answer: Any, external: bool) -> dict[str, Any]:
    if isinstance(answer, dict):
        return answer
    if isinstance(answer, tuple):
        return {"text": _plain(answer[1]), "value": answer[0]}
    if external:
        return {"text": _plain(str(answer)), "value": str(answer)}
    for opt in _all_options(element):
        if opt.get("value") == answer:
            return {k: opt[k] for k in ("text", "value", "description") if k in opt}
    allowed = [o.get("value") for o in _all_options(element)]
    raise ValueError(f"{answer!r} is not an option of {element.get('action_id')}: {allowed}")


def _state_value(element: dict[str, Any], answer: Answer) -> dict[str, Any]:
    etype = element.get("type", "")
    key, kind = STATE_KEYS[etype]
    if answer in (None, "", []):  # unanswered: the initial value, else null / []
        initial = _initial(element, key)
        empty: Any = [] if kind in ("options", "externals", "list") else None
        return {"type": etype, key: initial if initial is not None else empty}
    if kind in ("option", "external"):
        value: Any = _option(element, answer, kind == "external")
    elif kind in ("options", "externals"):
        items = [answer] if isinstance(answer, str) else list(answer)  # type: ignore[arg-type]
        value = [_option(element, a, kind == "externals") for a in items]
    elif kind == "list":
        single = isinstance(answer, str | dict)
        value = [answer] if single else list(answer)  # type: ignore[arg-type]
    elif kind == "int":
        value = int(answer)  # type: ignore[arg-type]
    elif kind == "rich":
        section = {"type": "rich_text_section", "elements": [{"type": "text", "text": answer}]}
        value = {"type": "rich_text", "elements": [section]}
    else:
        value = answer
    return {"type": etype, key: value}


def _stateful_elements(blocks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict]]:
    """(block, element) pairs of the elements Slack reports in view.state.values."""
    found = []
    for block in blocks:
        elements = [block.get("element"), block.get("accessory"), *block.get("elements", [])]
        for element in elements:
            if isinstance(element, dict) and element.get("type") in STATE_KEYS:
                found.append((block, element))
    return found


def build_state(
    view: dict[str, Any], values: dict[str, Answer], *, check_required: bool = True
) -> dict[str, Any]:
    """Build `view.state` as Slack sends it; `values` is keyed by block_id or action_id."""
    state: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for block, element in _stateful_elements(view.get("blocks", [])):
        block_id, action_id = block.get("block_id", ""), element.get("action_id", "")
        key = block_id if block_id in values else action_id if action_id in values else None
        answer = values[key] if key else None
        used.add(key or "")
        value = _state_value(element, answer)
        required = block.get("type") == "input" and not block.get("optional")
        if check_required and required and value[STATE_KEYS[element["type"]][0]] in (None, []):
            raise ValueError(f"required input {block_id!r} has no answer; Slack would not submit")
        state.setdefault(block_id, {})[action_id] = value
    unknown = set(values) - used
    if unknown:
        raise ValueError(f"no input with block_id/action_id {sorted(unknown)} in the view")
    return {"values": state}


def buttons(message: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Buttons of a message/view (or a list of blocks): `{action_id, value, text, block_id}`."""
    blocks = message if isinstance(message, list) else message.get("blocks") or []
    out = []
    for block in blocks:
        for element in [block.get("accessory"), *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("type") == "button":
                found = {k: element.get(k) for k in ("action_id", "value", "url", "style")}
                text = element.get("text", {}).get("text")
                out.append({**found, "text": text, "block_id": block.get("block_id")})
    return out


def find_button(message: dict[str, Any] | list[dict[str, Any]], text_or_action_id: str) -> dict:
    """The first button with this action_id or text; AssertionError listing the buttons if none."""
    found = buttons(message)
    for button in found:
        if text_or_action_id in (button["action_id"], button["text"]):
            return button
    raise AssertionError(f"no button {text_or_action_id!r}; buttons: {found}")


class SlackRequests:
    """Signed requests to the bot's `/slack/events` endpoint, as Slack would send them."""

    def __init__(
        self,
        server_url: str,
        signing_secret: str,
        *,
        fake: FakeSlack | None = None,
        team_id: str = "T0001",
        api_app_id: str = "A0001",
        path: str = "/slack/events",
        verification_token: str = "legacy-verification-token",
        timeout: float = 10,
    ) -> None:
        self.url = server_url.rstrip("/") + path
        self.signing_secret, self.fake, self.team_id = signing_secret, fake, team_id
        self.api_app_id, self.token = api_app_id, verification_token
        self.http = httpx.Client(timeout=timeout)
        self._seq = itertools.count(1)
        self.last_response_url: str | None = None

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    def __enter__(self) -> SlackRequests:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- low level
    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        unsigned: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST a raw body, signed with `secret` (default: the signing secret) at `timestamp`."""
        text = body.decode() if isinstance(body, bytes) else body
        sent = {"Content-Type": content_type, **(headers or {})}
        if not unsigned:
            ts = str(int(time.time()) if timestamp is None else timestamp)
            verifier = SignatureVerifier(self.signing_secret if secret is None else secret)
            sent["X-Slack-Request-Timestamp"] = ts
            sent["X-Slack-Signature"] = verifier.generate_signature(timestamp=ts, body=text)
        return self.http.post(self.url, content=text.encode(), headers=sent)

    def post_form(self, fields: dict[str, Any], **kw: Any) -> httpx.Response:
        """POST form-encoded fields (see `post` for signing options)."""
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    def post_payload(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        """POST an interactivity payload as Slack does: form field `payload=<json>`."""
        return self.post_form({"payload": json.dumps(payload)}, **kw)

    def post_json(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        """POST a JSON body (Events API)."""
        return self.post(json.dumps(body), "application/json", **kw)

    # ---------------------------------------------------------------- helpers
    def trigger_id(self) -> str:
        """A fresh trigger id."""
        return f"{next(self._seq)}.{int(time.time())}.{time.time_ns():x}"

    def new_response_url(
        self, name: str, *, channel: str | None = None, ts: str | None = None
    ) -> str:
        """A response URL on the fake (or a dummy one without a fake); kept as last_response_url."""
        url = f"https://hooks.slack.com/actions/{self.team_id}/1/{name}"
        if self.fake is not None:
            url = self.fake.response_url(name, channel=channel, ts=ts)
        self.last_response_url = url
        return url

    def _user(self, user_id: str) -> dict[str, Any]:
        name = user_id.lower()
        if self.fake is not None:
            info = self.fake.user(user_id)
            name = info["name"] if info else name
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _base(self, kind: str, user_id: str) -> dict[str, Any]:
        team = {"id": self.team_id, "domain": "test-trust"}
        ids = {"api_app_id": self.api_app_id, "token": self.token, "team": team}
        base = {"type": kind, "user": self._user(user_id), **ids, "enterprise": None}
        return base | {"is_enterprise_install": False, "trigger_id": self.trigger_id()}

    @staticmethod
    def _button_action(
        action_id: str, value: str | None, block_id: str | None, source: Any
    ) -> dict[str, Any]:
        """An `actions[]` item for a button click; missing fields come from the button in source."""
        button = next((b for b in buttons(source or {}) if b["action_id"] == action_id), {})
        value = button.get("value") if value is None else value
        block_id = block_id or button.get("block_id") or ""
        action = {"action_id": action_id, "block_id": block_id, "value": value, "type": "button"}
        text = _plain(button.get("text") or action_id)
        return action | {"text": text, "action_ts": f"{time.time():.6f}"}

    # ---------------------------------------------------------------- slash commands & interactions
    def command(
        self,
        user_id: str,
        command: str,
        text: str = "",
        *,
        channel_id: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """A slash command; its response URL is on the fake, named `<command>-<n>`."""
        name = f"{command.strip('/')}-{next(self._seq)}"
        fields = {"token": self.token, "team_id": self.team_id, "team_domain": "test-trust"}
        fields |= {"channel_id": channel_id or "D" + user_id, "channel_name": "directmessage"}
        fields |= {"user_id": user_id, "user_name": self._user(user_id)["name"]}
        fields |= {"command": command, "text": text, "api_app_id": self.api_app_id}
        fields |= {"is_enterprise_install": "false", "response_url": self.new_response_url(name)}
        fields |= {"trigger_id": self.trigger_id()}
        return self.post_form(fields, **kw)

    def view_submission(
        self,
        user_id: str,
        view: dict[str, Any],
        values: dict[str, Answer],
        *,
        check_required: bool = True,
        **kw: Any,
    ) -> httpx.Response:
        """Submit a modal (as stored by the fake) with `values` keyed by block_id or action_id."""
        sent = copy.deepcopy(view)
        sent["state"] = build_state(view, values, check_required=check_required)
        payload = self._base("view_submission", user_id) | {"view": sent, "response_urls": []}
        return self.post_payload(payload, **kw)

    def view_closed(self, user_id: str, view: dict[str, Any], **kw: Any) -> httpx.Response:
        """The user closed a modal (sent only if the view has notify_on_close)."""
        payload = {**self._base("view_closed", user_id), "view": view, "is_cleared": False}
        return self.post_payload(payload, **kw)

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str | None = None,
        channel_id: str,
        message_ts: str,
        message: dict[str, Any] | None = None,
        response_url: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """A button click in a message; block_id and button text come from `message` if given."""
        action = self._button_action(action_id, value, block_id, message)
        if response_url is None:
            response_url = self.new_response_url(
                f"action-{next(self._seq)}", channel=channel_id, ts=message_ts
            )
        shown = message or {"type": "message", "ts": message_ts, "text": "", "blocks": []}
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel_id}
        shown = {k: v for k, v in shown.items() if k not in ("channel", "edits", "deleted")}
        payload = self._base("block_actions", user_id) | {"actions": [action], "message": shown}
        payload |= {"container": container | {"is_ephemeral": False}, "state": {"values": {}}}
        payload |= {"channel": {"id": channel_id, "name": "directmessage"}}
        payload |= {"response_url": response_url}
        return self.post_payload(payload, **kw)

    def view_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None,
        view: dict[str, Any],
        *,
        block_id: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        """A button click in a view (App Home or modal): container type "view", no response_url."""
        action = self._button_action(action_id, value, block_id, view)
        sent = {**copy.deepcopy(view), "state": build_state(view, {}, check_required=False)}
        container = {"type": "view", "view_id": view.get("id")}
        payload = self._base("block_actions", user_id) | {"actions": [action], "view": sent}
        payload |= {"container": container}
        return self.post_payload(payload, **kw)

    def block_suggestion(
        self,
        user_id: str,
        action_id: str,
        block_id: str,
        value: str,
        view: dict[str, Any],
        **kw: Any,
    ) -> httpx.Response:
        """An external_select asking for options matching `value`; answer has `options`."""
        payload = self._base("block_suggestion", user_id) | {"view": view, "value": value}
        payload |= {"action_id": action_id, "block_id": block_id}
        payload |= {"container": {"type": "view", "view_id": view.get("id")}}
        return self.post_payload(payload, **kw)

    # ---------------------------------------------------------------- Events API
    def event(
        self, event: dict[str, Any], event_id: str | None = None, **kw: Any
    ) -> httpx.Response:
        """An `event_callback` envelope around `event`."""
        auth = {"enterprise_id": None, "team_id": self.team_id, "user_id": "UBOT", "is_bot": True}
        envelope = {"token": self.token, "team_id": self.team_id, "api_app_id": self.api_app_id}
        envelope |= {"event": event, "type": "event_callback", "event_time": int(time.time())}
        envelope |= {"event_id": event_id or f"Ev{next(self._seq):08d}"}
        envelope |= {"authorizations": [auth | {"is_enterprise_install": False}]}
        envelope |= {"is_ext_shared_channel": False}
        return self.post_json(envelope, **kw)

    def app_home_opened(self, user_id: str, tab: str = "home", **kw: Any) -> httpx.Response:
        """The user opened the app's Home (or Messages) tab."""
        event = {"type": "app_home_opened", "user": user_id, "channel": "D" + user_id, "tab": tab}
        event["event_ts"] = f"{time.time():.6f}"
        return self.event(event, **kw)

    def url_verification(self, challenge: str, **kw: Any) -> httpx.Response:
        """Slack's request URL check; the bot must echo `challenge`."""
        body = {"token": self.token, "challenge": challenge, "type": "url_verification"}
        return self.post_json(body, **kw)
