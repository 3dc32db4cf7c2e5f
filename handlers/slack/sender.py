# The Slack sender: delivers outbox messages as DMs, updates cards in place, never twice.
from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Envelope
from bot.outbox import DeliveryError
from handlers.slack.people import SlackPeople
from handlers.slack.render import message_args

log = logging.getLogger(__name__)
EVENT_TYPE = "policybot_outbox"
PERMANENT = {
    "users_not_found",
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
    "cannot_dm_bot",
    "invalid_auth",
    "not_authed",
}


class SlackSender:
    """Implements bot.delivery.Sender for Slack."""

    channel = "slack"

    def __init__(self, client: AsyncWebClient, people: SlackPeople) -> None:
        self._client = client
        self._people = people

    async def deliver(self, envelope: Envelope) -> str:
        try:
            if envelope.previous:
                updated = await self._update(envelope.previous, envelope)
                if updated:
                    return envelope.previous
            dm = await self._dm(envelope.recipient)
            if envelope.recovering:
                found = await self._already_sent(dm, envelope.item_id)
                if found:
                    log.info("outbox item %s was delivered before a restart", envelope.item_id)
                    return found
            response = await self._client.chat_postMessage(
                channel=dm,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"item": envelope.item_id}},
                **message_args(envelope.message),
            )
            return f"{response['channel']}:{response['ts']}"
        except SlackApiError as error:
            raise _delivery_error(error) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}") from None

    async def _dm(self, email: str) -> str:
        user_id, dm = await self._people.user_id_of(email)
        if dm:
            return dm
        response = await self._client.conversations_open(users=user_id)
        dm = str(response["channel"]["id"])
        await self._people.remember_dm(email, user_id, dm)
        return dm

    async def _update(self, previous: str, envelope: Envelope) -> bool:
        channel, ts = previous.split(":", 1)
        try:
            await self._client.chat_update(channel=channel, ts=ts, **message_args(envelope.message))
        except SlackApiError as error:
            data = error.response.data
            if isinstance(data, dict) and data.get("error") in {
                "message_not_found",
                "channel_not_found",
            }:
                return False
            raise
        return True

    async def _already_sent(self, dm: str, item_id: int) -> str | None:
        """After a crash mid-send: look for this item's message before sending it again."""
        response = await self._client.conversations_history(
            channel=dm, limit=50, include_all_metadata=True
        )
        for message in response.get("messages", []):
            meta = message.get("metadata") or {}
            if (
                meta.get("event_type") == EVENT_TYPE
                and meta.get("event_payload", {}).get("item") == item_id
            ):
                return f"{dm}:{message['ts']}"
        return None


def _delivery_error(error: SlackApiError) -> DeliveryError:
    status = error.response.status_code
    data = error.response.data
    code = str((data.get("error") if isinstance(data, dict) else None) or f"http_{status}")
    if status == 429:
        retry_after = error.response.headers.get("Retry-After") or error.response.headers.get(
            "retry-after"
        )
        return DeliveryError("ratelimited", retry_after=float(retry_after or 1))
    return DeliveryError(code, permanent=code in PERMANENT)
