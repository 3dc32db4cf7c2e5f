# The Teams front end: an Agents SDK AgentApplication whose routes hand every message, card
# action and typeahead to the front desk (dispatch.TeamsDesk), and the sender the worker uses.
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    InvokeResponse,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ConnectionManager,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app._routes import RouteRank
from microsoft_agents.hosting.core.app.adaptive_card.models import AdaptiveCardSearchResult

from bot.clock import Clock
from bot.errors import UnknownPerson
from bot.front import Desk, Resolve, run_search
from bot.messages import Message
from bot.ports import IdentityStore
from bot.services import Services
from bot.settings import Settings
from handlers.teams.connector import Connector
from handlers.teams.dispatch import Card, CardKit, CurrentCard, TeamsDesk
from handlers.teams.files import TeamsFiles, uploads_of
from handlers.teams.people import FindUser, TeamsPeople, Turn
from handlers.teams.sender import CARD, TeamsSender, teams_ref
from handlers.teams.tokens import (
    CONNECTOR,
    CONNECTOR_SCOPES,
    connection_manager,
    quiet_anonymous_notice,
)

log = logging.getLogger(__name__)
CARD_RESPONSE = CARD
TEXT_RESPONSE = "application/vnd.microsoft.activity.message"
ANY = re.compile(".*")


@dataclass(frozen=True)
class TeamsFront:
    """What the wiring mounts and hands to the worker."""

    app: AgentApplication[TurnState]
    adapter: CloudAdapter
    config: AgentAuthConfiguration
    sender: TeamsSender
    people: TeamsPeople
    connector: Connector
    files: TeamsFiles


def connector_token(manager: ConnectionManager, anonymous: bool) -> Callable[[], Awaitable[str]]:
    """The bot's token for its own connector calls (none when anonymous, as the SDK does)."""

    async def token() -> str:
        if anonymous:
            return ""
        provider = manager.get_default_connection()
        return await provider.get_access_token(CONNECTOR, CONNECTOR_SCOPES)

    return token


def build_application(
    manager: ConnectionManager,
) -> tuple[AgentApplication[TurnState], CloudAdapter]:
    """The SDK's adapter and application; turn state in memory (ours is in the database)."""
    adapter = CloudAdapter(connection_manager=manager)
    storage = MemoryStorage()
    app = AgentApplication[TurnState](
        storage=storage, connection_manager=manager, start_typing_timer=False
    )
    return app, adapter


def register(
    app: AgentApplication[TurnState], adapter: CloudAdapter, desk: TeamsDesk, people: TeamsPeople
) -> None:
    """Every route: messages, card actions, typeahead, other invokes, conversation updates,
    and the turn-error hook (no exception text is ever shown to a person)."""

    def resolver(context: TurnContext) -> Resolve:
        """The sender's directory e-mail (UnknownPerson otherwise), once per turn; their
        conversation reference is kept on the way."""
        found: list[str] = []

        async def resolve() -> str:
            if not found:
                turn = turn_of(context.activity)
                email = await people.email_of(turn)
                await people.record(email, turn)
                found.append(email)
            return found[0]

        return resolve

    async def on_message(context: TurnContext, _state: TurnState) -> None:
        activity = context.activity
        resolve, key = resolver(context), f"teams:activity:{activity.id}"
        value = activity.value if isinstance(activity.value, dict) else None
        files = uploads_of(activity.attachments, activity.service_url or "")
        if not (activity.text or "").strip() and value and value.get("verb"):  # Action.Submit
            card = await desk.action(resolve, key, str(value["verb"]), value)
        elif files:
            card = await desk.files(resolve, key, activity.text or "", files)
        else:
            card = await desk.message(resolve, key, activity.text or "")
        if isinstance(card, str):
            await context.send_activity(card)
        elif card is not None:
            await send_card(context, card)

    async def on_action(context: TurnContext, _state: TurnState, data: Any) -> Any:
        activity = context.activity
        verb = str(((activity.value or {}).get("action") or {}).get("verb") or "")
        payload = data if isinstance(data, dict) else {}
        card = await desk.action(
            resolver(context),
            f"teams:activity:{activity.id}",
            verb,
            payload,
            card_ref=card_ref_of(activity),
        )
        return card_response(card)

    async def on_search(context: TurnContext, _state: TurnState, query: Any) -> list[Any]:
        """Data.Query typeahead (cards use Find buttons; this answers any that do not)."""
        params = query.parameters
        resolve = resolver(context)
        search = desk.desk.search(params.dataset)
        if search is None:
            return []
        found = await run_search(desk.services, search, resolve, params.query_text or "", {})
        return [AdaptiveCardSearchResult(title=o.label, value=o.value) for o in found]

    async def on_other_invoke(context: TurnContext, _state: TurnState) -> None:
        log.info("teams invoke %s is not one policybot answers", context.activity.name)
        await send_invoke(context, card_response(desk.unknown_invoke()))

    async def on_update(context: TurnContext, _state: TurnState) -> None:
        """Installed, added, or a member joined: keep the reference of whoever it was."""
        activity = context.activity
        if activity.from_property is None or not activity.from_property.id:
            return
        try:
            await resolver(context)()
        except UnknownPerson:
            log.info("teams %s from someone not in the directory", activity.type)

    async def on_error(context: TurnContext, error: Exception) -> None:
        reference = uuid.uuid4().hex[:8]
        log.error("teams turn failed (ref %s): %s", reference, type(error).__name__, exc_info=error)
        card = desk.apology(reference)
        try:
            if context.activity.type == ActivityTypes.invoke:
                await send_invoke(context, card_response(card))
            else:
                await send_card(context, card)
        except Exception:
            log.warning("teams: could not send the apology (ref %s)", reference)

    app.add_route(lambda c: c.activity.type == ActivityTypes.message, on_message)
    app.adaptive_card.action_execute(ANY)(on_action)
    app.adaptive_card.search(ANY)(on_search)
    app.add_route(
        lambda c: c.activity.type == ActivityTypes.invoke,
        on_other_invoke,
        is_invoke=True,
        rank=RouteRank.LAST,
    )
    app.add_route(
        lambda c: (
            c.activity.type
            in (ActivityTypes.conversation_update, ActivityTypes.installation_update)
        ),
        on_update,
    )
    app.error(on_error)
    adapter.on_turn_error = on_error  # the SDK's default shows the person the exception's text


def turn_of(activity: Activity) -> Turn:
    sender = activity.from_property
    conversation = activity.conversation
    kind = conversation.conversation_type
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = conversation.tenant_id or (channel_data.get("tenant") or {}).get("id")
    return Turn(
        user_id=sender.id,
        aad_object_id=sender.aad_object_id,
        name=sender.name,
        conversation_id=conversation.id,
        personal=kind == "personal" or (kind is None and not conversation.is_group),
        service_url=activity.service_url or "",
        tenant_id=tenant,
    )


def card_ref_of(activity: Activity) -> str | None:
    """The outbox ref of the card a click came from (its conversation and activity)."""
    if activity.reply_to_id and activity.conversation:
        return teams_ref(activity.conversation.id, activity.reply_to_id)
    return None


def card_response(card: Card | str) -> AdaptiveCardInvokeResponse:
    """A card to show in place of the clicked one, or text (the card stays as it is)."""
    if isinstance(card, str):
        return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=TEXT_RESPONSE, value=card)
    return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=CARD_RESPONSE, value=card)


async def send_card(context: TurnContext, card: Card) -> None:
    await context.send_activity(
        Activity(type=ActivityTypes.message, attachments=[{"contentType": CARD, "content": card}])
    )


async def send_invoke(context: TurnContext, response: AdaptiveCardInvokeResponse) -> None:
    body = response.model_dump(mode="json", by_alias=True, exclude_none=True)
    await context.send_activity(
        Activity(
            type=ActivityTypes.invoke_response,
            value=InvokeResponse(status=HTTPStatus.OK, body=body),
        )
    )


def build_teams(
    settings: Settings,
    services: Services,
    identities: IdentityStore,
    clock: Clock,
    *,
    desk: Desk,
    cards: CardKit,
    resume: Callable[[str], Awaitable[None]],
    current_card: CurrentCard | None = None,
    find_user: FindUser | None = None,
) -> TeamsFront:
    """Teams from our settings: the SDK's application and adapter, our connector client for
    the outbox, the people resolver (with `find_user`, Graph's look-up of people never seen),
    and the desk every route serves."""
    assert settings.teams_client_id
    anonymous = settings.teams_anonymous_allowed
    if anonymous:
        quiet_anonymous_notice()
    manager = connection_manager(
        client_id=settings.teams_client_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=settings.teams_client_secret,
        anonymous_allowed=anonymous,
        authority_host=settings.authority_host,
    )
    token = connector_token(manager, anonymous)
    connector = Connector(token)
    people = TeamsPeople(
        connector,
        identities,
        lambda: services.directory,
        clock,
        service_url=settings.teams_service_url,
        tenant_id=settings.teams_tenant_id,
        resume=resume,
        find_user=find_user,
    )
    sender = TeamsSender(
        connector, people, bot_id=settings.teams_client_id, render=cards.message_card
    )

    async def current(email: str, ref: str) -> Message | None:
        """A newer version still in the outbox, else the one this process put there last."""
        queued = await current_card(email, ref) if current_card else None
        return queued or sender.shown(ref)

    teams_desk = TeamsDesk(desk, services, cards, current_card=current)
    app, adapter = build_application(manager)
    register(app, adapter, teams_desk, people)
    config = manager.get_default_connection_configuration()
    return TeamsFront(app, adapter, config, sender, people, connector, TeamsFiles(token))
