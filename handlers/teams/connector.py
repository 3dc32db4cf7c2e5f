# The Bot Connector REST calls the outbox makes (send, update, create a 1:1 chat, look up a
# member), over one shared aiohttp session, with the status and Retry-After of every refusal.
from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

log = logging.getLogger(__name__)
Token = Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class ConnectorRefused(Exception):
    """The connector answered with an error status; `retry_after` in seconds when it said."""

    status: int
    code: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.code}".strip()


class Connector:
    """`{serviceUrl}/v3/conversations/...`, authorised with the bot's token (none when the
    deployment allows anonymous requests, as tests do)."""

    def __init__(self, token: Token, *, timeout: float = 20.0) -> None:
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, service_url: str, conversation: str, activity: dict[str, Any]) -> str:
        """Post an activity into a conversation; returns its id."""
        path = f"v3/conversations/{quote(conversation, safe='')}/activities"
        answer = await self._call("POST", service_url, path, activity)
        return str(answer.get("id") or "")

    async def update(
        self, service_url: str, conversation: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        path = f"v3/conversations/{quote(conversation, safe='')}/activities/{quote(activity_id)}"
        await self._call("PUT", service_url, path, activity | {"id": activity_id})

    async def create_personal(
        self, service_url: str, *, bot_id: str, member: str, tenant_id: str | None
    ) -> str:
        """Create (or find: Teams returns the existing one) the 1:1 chat of the bot and one
        person, named by their Entra object id or Teams user id; returns its conversation id."""
        body: dict[str, Any] = {
            "isGroup": False,
            "bot": {"id": f"28:{bot_id}"},
            "members": [{"id": member}],
            "channelData": {"tenant": {"id": tenant_id}} if tenant_id else {},
        }
        if tenant_id:
            body["tenantId"] = tenant_id
        answer = await self._call("POST", service_url, "v3/conversations", body)
        return str(answer["id"])

    async def member(self, service_url: str, conversation: str, member: str) -> dict[str, Any]:
        """A member of a conversation as Teams describes them (email, userPrincipalName)."""
        path = f"v3/conversations/{quote(conversation, safe='')}/members/{quote(member)}"
        return await self._call("GET", service_url, path, None)

    async def _call(
        self, method: str, service_url: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any]:
        url = service_url.rstrip("/") + "/" + path
        headers = {"Content-Type": "application/json"}
        token = await self._token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        session = self._open()
        async with session.request(method, url, json=body, headers=headers) as response:
            text = await response.text()
            if response.status >= 300:
                raise ConnectorRefused(response.status, _code(text), _retry_after(response.headers))
            try:
                data = await response.json(content_type=None) if text else {}
            except ValueError:
                data = {}
            return data if isinstance(data, dict) else {}

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


def _code(text: str) -> str:
    """The connector's error code (BotNotInConversationRoster, ...) when its body has one."""
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
