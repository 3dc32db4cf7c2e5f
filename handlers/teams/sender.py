# The Teams sender: delivers outbox messages as Adaptive Cards in each person's 1:1 chat with
# the bot, creating that chat when needed, and updates a thread's card in place.
from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.channels import SEP
from bot.delivery import Envelope
from bot.messages import Message
from bot.outbox import NOT_REACHABLE_YET, DeliveryError
from handlers.graph import GraphLoginFailed, GraphLookupFailed
from handlers.teams.connector import Connector, ConnectorRefused
from handlers.teams.people import Reach, TeamsPeople
from handlers.teams.tokens import TokenUnavailable

log = logging.getLogger(__name__)
WAIT_FOR_PERSON = 900.0  # seconds between tries to reach someone who has not installed the app
NOT_INSTALLED = (
    f"{NOT_REACHABLE_YET}: the Teams app is not installed for this person; the message goes "
    "as soon as they open policybot in Teams (or an admin installs it for them)"
)
NO_ACCOUNT = (
    f"{NOT_REACHABLE_YET}: no Teams account is known for this person; the message goes as "
    "soon as they open policybot in Teams (or give their teams_id in the directory)"
)
NOT_IN_GRAPH = (
    f"{NOT_REACHABLE_YET}: Microsoft Graph knows no user with this e-mail address (check it in "
    "the directory); the message goes as soon as they open policybot in Teams"
)
CARD = "application/vnd.microsoft.card.adaptive"
REMEMBERED = 2000  # deliveries remembered, so a retry after a success never posts again


def teams_ref(conversation_id: str, activity_id: str) -> str:
    return f"teams{SEP}{conversation_id}{SEP}{activity_id}"


def parse_ref(ref: str | None) -> tuple[str, str] | None:
    """(conversation id, activity id) of a Teams ref; None for another channel's."""
    if not ref or not ref.startswith("teams" + SEP):
        return None
    _, conversation, activity = ref.split(SEP, 2)
    return conversation, activity


class TeamsSender:
    """Implements bot.delivery.Sender for Teams. A person never reached before gets a new 1:1
    chat (by Entra object id, looked up in Graph when Teams never gave it); when Teams refuses
    it (403: the app is not installed for them) the message waits, visibly, until they install
    it. A message Teams accepted is never posted again by this process: a retry after a
    success (the outbox could not record it) returns the first delivery. Teams keeps no
    history the bot can search, so after a crash between Teams' answer and the record
    (`recovering`) one duplicate is possible."""

    channel = "teams"

    def __init__(
        self,
        connector: Connector,
        people: TeamsPeople,
        *,
        bot_id: str,
        render: Callable[[Message], dict[str, Any]],
    ) -> None:
        self._connector = connector
        self._people = people
        self._bot_id = bot_id
        self._render = render
        self._delivered: OrderedDict[int, str] = OrderedDict()
        self._shown: OrderedDict[str, Message] = OrderedDict()  # ref -> the message there now

    async def deliver(self, envelope: Envelope) -> str:
        done = self._delivered.get(envelope.item_id)
        if done is not None:
            log.info("outbox item %s was delivered to teams before; not again", envelope.item_id)
            return done
        if envelope.recovering:
            log.warning("outbox item %s may have reached teams before a restart", envelope.item_id)
        try:
            ref = await self._deliver(envelope)
        except ConnectorRefused as error:
            raise _delivery_error(error) from None
        except (TokenUnavailable, GraphLoginFailed) as error:
            raise DeliveryError(str(error)) from None
        except GraphLookupFailed as error:
            wait = error.retry_after or (WAIT_FOR_PERSON if error.status == 403 else None)
            throttled = error.status == 429 and error.retry_after is not None
            raise DeliveryError(str(error), retry_after=wait, throttled=throttled) from None
        except (aiohttp.ClientError, TimeoutError) as error:
            raise DeliveryError(f"network: {type(error).__name__}") from None
        self._delivered[envelope.item_id] = ref
        self._shown[ref] = envelope.message
        self._shown.move_to_end(ref)
        for memory in (self._delivered, self._shown):
            while len(memory) > REMEMBERED:
                memory.popitem(last=False)
        return ref

    def shown(self, ref: str) -> Message | None:
        """The message this process last delivered at `ref`, when it still remembers it."""
        return self._shown.get(ref)

    async def _deliver(self, envelope: Envelope) -> str:
        activity = self.activity(envelope.message)
        reach = await self._people.reach(envelope.recipient)
        previous = parse_ref(envelope.previous)
        if previous and await self._update(reach, previous, activity):
            return envelope.previous or ""
        conversation = reach.conversation_id
        if conversation is None:
            conversation = await self._create(envelope.recipient, reach)
        try:
            activity_id = await self._connector.send(reach.service_url, conversation, activity)
        except ConnectorRefused as error:
            if error.status in (403, 404):  # the app was removed, or the chat is gone
                await self._people.forget_chat(envelope.recipient)
            raise
        log.info("outbox item %s posted to teams chat", envelope.item_id)
        return teams_ref(conversation, activity_id)

    async def _create(self, email: str, reach: Reach) -> str:
        if not reach.member:
            found = await self._people.look_up(email, reach)
            if found is None:
                reason = NOT_IN_GRAPH if self._people.can_look_up else NO_ACCOUNT
                raise DeliveryError(reason, retry_after=WAIT_FOR_PERSON)
            reach = found
        try:
            conversation = await self._connector.create_personal(
                reach.service_url,
                bot_id=self._bot_id,
                member=reach.member,
                tenant_id=reach.tenant_id,
            )
        except ConnectorRefused as error:
            if error.status == 403:
                log.info("teams app is not installed for %s (%s)", reach.member, error.code)
                raise DeliveryError(NOT_INSTALLED, retry_after=WAIT_FOR_PERSON) from None
            raise
        await self._people.remember_chat(email, reach, conversation)
        return conversation

    async def _update(
        self, reach: Reach, previous: tuple[str, str], activity: dict[str, Any]
    ) -> bool:
        """Update the card in place; False when it is gone (then a new one is sent)."""
        conversation, activity_id = previous
        try:
            await self._connector.update(reach.service_url, conversation, activity_id, activity)
        except ConnectorRefused as error:
            if error.status in (400, 404):
                log.info("teams card %s is gone (%s); sending a new one", activity_id, error)
                return False
            raise
        return True

    def activity(self, message: Message) -> dict[str, Any]:
        return {
            "type": "message",
            "summary": message.notification,
            "attachments": [{"contentType": CARD, "content": self._render(message)}],
        }


def _delivery_error(error: ConnectorRefused) -> DeliveryError:
    if error.status == 429:
        return DeliveryError(
            "teams: rate limited (429)", retry_after=error.retry_after or 1.0, throttled=True
        )
    if error.status == 403:
        return DeliveryError(NOT_INSTALLED, retry_after=WAIT_FOR_PERSON)
    if error.status == 401:
        return DeliveryError("teams refused the bot's token (401): check the app id and secret")
    if error.status in (400, 413):
        return DeliveryError(f"teams refused the message ({error})", permanent=True)
    return DeliveryError(f"teams connector {error}", retry_after=error.retry_after)
