# Slack listeners for tasks.
from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.slack.people import SlackPeople


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the tasks listeners."""
