# Slack App Home: the person's home pages (bot/home.py), published when they open the tab.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import UnknownPerson
from bot.home import home_pages, welcome_pages
from bot.services import Services
from handlers.slack import render
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        log.info("app home opened by %s", user_id)
        try:
            email = await people.email_of(user_id)
        except UnknownPerson as error:
            pages = welcome_pages(error.message)
        else:
            pages = await home_pages(services, email)
        await client.views_publish(user_id=user_id, view=render.home_view(pages))
