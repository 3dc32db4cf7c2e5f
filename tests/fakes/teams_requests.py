# TeamsRequests: posts Bot Framework activities to the bot under test as Teams would (messages,
# Action.Execute invokes, installs), signed with the fake connector's key in authenticated mode.
from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

from tests.fakes.bot_connector import FakeBotConnector, TeamsUser


class TeamsRequests:
    """Sends activities from the fake connector's users to `bot_url`/api/messages."""

    def __init__(self, bot_url: str, connector: FakeBotConnector, *, signed: bool = False) -> None:
        self.url = bot_url.rstrip("/") + "/api/messages"
        self.connector = connector
        self.signed = signed
        self._ids = itertools.count(1)

    def activity(self, user: TeamsUser, kind: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "id": f"f:{uuid.uuid4().hex[:16]}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "timestamp": "2026-11-24T10:00:00.000Z",
            "from": {"id": user.user_id, "name": user.name, "aadObjectId": user.aad},
            "recipient": {"id": f"28:{self.connector.bot_id}", "name": "policybot"},
            "conversation": {
                "id": user.conversation,
                "conversationType": "personal",
                "tenantId": self.connector.tenant,
            },
            "channelData": {"tenant": {"id": self.connector.tenant}},
            "locale": "en-GB",
        } | fields

    def post(self, activity: dict[str, Any], *, token: str | None = None) -> httpx.Response:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        elif self.signed:
            headers["Authorization"] = f"Bearer {self.connector.token_for_bot()}"
        response = httpx.post(self.url, json=activity, headers=headers, timeout=20)
        if activity.get("type") == "invoke" and response.status_code == 200 and response.content:
            self.connector.answered(response.json())
        return response

    def message(
        self, email: str, text: str, *, attachments: list[dict[str, Any]] | None = None
    ) -> httpx.Response:
        """A message to the bot; with `attachments` (files, pasted pictures), as Teams sends
        them, the message's HTML among them."""
        user = self.connector.user(email)
        fields: dict[str, Any] = {"text": text, "textFormat": "plain"}
        if attachments:
            html = {"contentType": "text/html", "content": f"<p>{text}</p>"}
            fields["attachments"] = [*attachments, html]
        return self.post(self.activity(user, "message", **fields))

    def action(
        self, email: str, verb: str, data: dict[str, Any], *, reply_to: str | None = None
    ) -> httpx.Response:
        """Click an Action.Execute button (or submit a form card); the response body is the
        invoke response, the card shown to the clicker."""
        return self.post(self.action_activity(email, verb, data, reply_to=reply_to))

    def action_activity(
        self, email: str, verb: str, data: dict[str, Any], *, reply_to: str | None = None
    ) -> dict[str, Any]:
        """The invoke activity of an Action.Execute click (to `post`, once or as a retry)."""
        user = self.connector.user(email)
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}}
        fields: dict[str, Any] = {
            "name": "adaptiveCard/action",
            "value": value | {"trigger": "manual"},
        }
        if reply_to:
            fields["replyToId"] = reply_to
        return self.activity(user, "invoke", **fields)

    def invoke(self, email: str, name: str, value: Any = None) -> httpx.Response:
        user = self.connector.user(email)
        return self.post(self.activity(user, "invoke", name=name, value=value or {}))

    def install(self, email: str) -> httpx.Response:
        """The person installs the app: Teams creates the 1:1 chat and tells the bot."""
        self.connector.install(email)
        user = self.connector.user(email)
        bot = {"id": f"28:{self.connector.bot_id}", "name": "policybot"}
        return self.post(
            self.activity(user, "conversationUpdate", membersAdded=[bot, {"id": user.user_id}])
        )


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The button titled `title` on a card (its actions, or an ActionSet in its body)."""
    actions = list(card.get("actions") or [])
    actions += [a for item in card.get("body", []) for a in item.get("actions", [])]
    action = next((a for a in actions if a.get("title") == title), None)
    assert action is not None, f"no button {title!r} on {[a.get('title') for a in actions]}"
    return action


def click(requests: TeamsRequests, email: str, card: dict[str, Any], title: str) -> httpx.Response:
    """Click the button titled `title` on a delivered card (from FakeBotConnector.cards_to)."""
    action = button(card, title)
    return requests.action(email, action["verb"], action.get("data") or {}, reply_to=card["_id"])


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    """Every input of a card with the value it shows (what Teams sends when nothing is typed)."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node.get("value", "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return found


def submit(
    requests: TeamsRequests, email: str, card: dict[str, Any], answers: dict[str, Any]
) -> httpx.Response:
    """Fill in a form card and press its submit button: Teams merges the inputs into the
    action's data. Lists are sent as Teams sends a multi-select: comma-joined."""
    action = next(a for a in card.get("actions", []) if str(a.get("verb", "")).startswith("form:"))
    values = inputs(card) | {
        k: ",".join(v) if isinstance(v, list) else v for k, v in answers.items()
    }
    return requests.action(email, action["verb"], (action.get("data") or {}) | values)
