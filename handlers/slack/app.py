# The Slack front end: a Bolt AsyncApp serving the front desk and App Home, and the sender the
# worker uses.
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.front import Desk
from bot.ports import IdentityStore
from bot.services import Services
from bot.settings import Settings
from handlers.slack import commands, home, listeners
from handlers.slack.files import SlackFiles
from handlers.slack.people import SlackPeople
from handlers.slack.sender import SlackSender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackFront:
    app: AsyncApp
    sender: SlackSender
    people: SlackPeople
    files: SlackFiles
    client: AsyncWebClient


def _unused_token_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it does."""
    return "will be unused" not in record.getMessage()


def build_slack(
    settings: Settings, services: Services, identities: IdentityStore, clock: Clock, desk: Desk
) -> SlackFront:
    """Bolt on aiohttp, its Web API client pointed at SLACK_API_URL, serving every command,
    form, button and search of `desk`, and App Home."""
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    logging.getLogger("slack_bolt.AsyncApp").addFilter(_unused_token_warning)
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret,
        client=client,
        raise_error_for_unhandled_request=False,
    )
    people = SlackPeople(client, identities, lambda: services.directory, clock)
    commands.register(app, desk, services, people)
    listeners.register(app, desk, services, people)
    home.register(app, services, people)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        log.error(
            "unhandled Slack request error (%s, type=%s)",
            type(error).__name__,
            body.get("type"),
            exc_info=error,
        )
        return None

    files = SlackFiles(client, settings.slack_bot_token or "")
    return SlackFront(app, SlackSender(client, people), people, files, client)
