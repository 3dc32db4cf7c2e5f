# The Slack sender: delivers outbox messages as DMs, updates cards in place, never twice, and
# keeps to Slack's rate limits through one gate shared by every delivery.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Envelope
from bot.outbox import DeliveryError
from handlers.slack.people import SlackPeople
from handlers.slack.rate_limits import RateGate, WaitTooLong, retry_after
from handlers.slack.render import message_args

log = logging.getLogger(__name__)
T = TypeVar("T")
EVENT_TYPE = "policybot_outbox"
MAX_WAIT_SECONDS = 10.0  # a delivery waits this long for its turns at most, far below the lease
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


@dataclass(frozen=True)
class _Turns:
    """The Slack calls of one delivery: through the shared gate, before one deadline, with
    the outbox item as the ticket that keeps its turn if it must be requeued."""

    gate: RateGate
    ticket: int
    deadline: float
    urgent: bool = False

    async def __call__(
        self, method: str, send: Callable[[], Awaitable[T]], conversation: Hashable | None = None
    ) -> T:
        return await self.gate.call(
            method,
            send,
            deadline=self.deadline,
            ticket=self.ticket,
            conversation=conversation,
            urgent=self.urgent,
        )


class SlackSender:
    """Implements bot.delivery.Sender for Slack. Every call waits for its turn at a RateGate
    shared by all concurrent deliveries (Slack's paces per method and per conversation, and
    Retry-After once Slack answers 429). A delivery waits at most `max_wait` seconds in all;
    when its turn is later it raises DeliveryError(retry_after=..., throttled=True) and the
    worker requeues it without counting an attempt. Urgent items take the next free turn,
    ahead of bulk sends waiting at the gate.
    A message Slack accepted is never posted again: after a crash, a timeout or a 5xx on the
    post, the DM is searched for the item before posting."""

    channel = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        people: SlackPeople,
        *,
        gate: RateGate | None = None,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self._client = client
        self._people = people
        self.gate = gate or RateGate()
        self._max_wait = max_wait
        self._unsure: set[int] = set()  # items whose post may have got through unanswered

    async def deliver(self, envelope: Envelope) -> str:
        turns = _Turns(
            self.gate, envelope.item_id, self.gate.now() + self._max_wait, envelope.urgent
        )
        try:
            return await self._deliver(envelope, turns)
        except WaitTooLong as wait:
            reason = f"ratelimited ({wait.method})"
            raise DeliveryError(reason, retry_after=wait.retry_after, throttled=True) from None
        except SlackApiError as error:
            raise _delivery_error(error) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}") from None

    async def _deliver(self, envelope: Envelope, turns: _Turns) -> str:
        if envelope.previous and await self._update(turns, envelope.previous, envelope):
            return envelope.previous
        email = envelope.recipient

        async def lookup(address: str) -> str:
            response = await turns(
                "users.lookupByEmail", lambda: self._client.users_lookupByEmail(email=address)
            )
            return str(response["user"]["id"])

        user_id, dm = await self._people.user_id_of(email, lookup=lookup)
        if envelope.recovering or envelope.item_id in self._unsure:
            dm = dm or await self._open(turns, email, user_id)
            found = await self._already_sent(turns, dm, envelope.item_id)
            if found:
                log.info("outbox item %s was delivered before a restart", envelope.item_id)
                self._unsure.discard(envelope.item_id)
                return found
        return await self._post(turns, envelope, user_id, dm)

    async def _post(self, turns: _Turns, envelope: Envelope, user_id: str, dm: str | None) -> str:
        """Post into the DM; to someone whose DM is not known yet, post to their user id:
        Slack opens the DM (as conversations.open would) and names it in its answer."""
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"item": envelope.item_id}}
        try:
            response = await turns(
                "chat.postMessage",
                lambda: self._client.chat_postMessage(
                    channel=dm or user_id, metadata=metadata, **message_args(envelope.message)
                ),
                conversation=user_id,
            )
        except SlackApiError as error:
            if error.response.status_code >= 500:  # Slack may have posted it all the same
                self._unsure.add(envelope.item_id)
            raise
        except (aiohttp.ClientError, TimeoutError):
            self._unsure.add(envelope.item_id)
            raise
        self._unsure.discard(envelope.item_id)
        channel = str(response["channel"])
        if channel != dm:
            await self._remember_dm(envelope.recipient, user_id, channel)
        return f"{channel}:{response['ts']}"

    async def _remember_dm(self, email: str, user_id: str, dm: str) -> None:
        """Best effort: the message is out, so a failure here must not make it go again."""
        try:
            await self._people.remember_dm(email, user_id, dm)
        except Exception:
            log.warning("could not remember the DM of slack user %s", user_id, exc_info=True)

    async def _open(self, turns: _Turns, email: str, user_id: str) -> str:
        response = await turns(
            "conversations.open", lambda: self._client.conversations_open(users=user_id)
        )
        dm = str(response["channel"]["id"])
        await self._people.remember_dm(email, user_id, dm)
        return dm

    async def _update(self, turns: _Turns, previous: str, envelope: Envelope) -> bool:
        channel, ts = previous.split(":", 1)
        try:
            await turns(
                "chat.update",
                lambda: self._client.chat_update(
                    channel=channel, ts=ts, **message_args(envelope.message)
                ),
            )
        except SlackApiError as error:
            data = error.response.data
            if isinstance(data, dict) and data.get("error") in {
                "message_not_found",
                "channel_not_found",
            }:
                return False
            raise
        return True

    async def _already_sent(self, turns: _Turns, dm: str, item_id: int) -> str | None:
        """After a crash or an unanswered post: look for this item's message before sending
        it again."""
        response: Any = await turns(
            "conversations.history",
            lambda: self._client.conversations_history(
                channel=dm, limit=50, include_all_metadata=True
            ),
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
        return DeliveryError("ratelimited", retry_after=retry_after(error), throttled=True)
    return DeliveryError(code, permanent=code in PERMANENT)
