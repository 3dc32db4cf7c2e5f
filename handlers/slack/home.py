# Slack App Home and /policybot help.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.home import home_pages as access_pages
from bot.declarations.home import home_pages as declaration_pages
from bot.errors import UnknownPerson
from bot.help import help_for
from bot.messages import Message
from bot.posts.home import home_pages as post_pages
from bot.reports import service as reports
from bot.reports.home import home_messages, split_safeguarding
from bot.reports.messages import report_card
from bot.services import Services
from bot.tasks.home import home_pages as task_pages
from bot.training.home import home_pages as training_pages
from handlers.slack import access, ids, render
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
            pages = [Message(notification="policybot", title="Welcome", body=error.message)]
        else:
            waiting, mine = await reports.for_home(
                services.uow(), services.report_deps(), email=email
            )
            waiting, safeguarding = split_safeguarding(waiting, email)
            zone = services.hours.zone
            pages = home_messages(services.directory, zone, waiting=waiting, mine=mine)
            pages += await declaration_pages(
                services,
                email,
                safeguarding_reports=[
                    report_card(r, services.directory, zone) for r in safeguarding
                ],
            )
            for more in (post_pages, task_pages, access_pages, training_pages):
                pages += await more(services, email)
        await client.views_publish(user_id=user_id, view=render.home_view(pages))

    @app.command(ids.HELP_COMMAND)
    async def help_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        if await access.policybot_subcommand(
            services, people, ack=ack, body=body, client=client, respond=respond
        ):
            return
        log.info("command %s from %s", ids.HELP_COMMAND, body.get("user_id"))
        directory = services.directory
        try:
            email: str | None = await people.email_of(body["user_id"])
            note = None
        except UnknownPerson as error:
            email, note = None, error.message
        message = help_for(directory, email)
        blocks = render.message_blocks(message)
        if note:
            blocks.insert(1, {"type": "section", "text": render.mrkdwn(render.escape(note))})
        await ack(response_type="ephemeral", text=message.notification, blocks=blocks)

    async def not_yet(ack: AsyncAck, command: dict[str, Any]) -> None:
        name = command.get("command", "")
        await ack(
            response_type="ephemeral",
            text=(
                f"{name} ({ids.LATER_COMMANDS.get(name, 'this')}) is coming in a later release of "
                "policybot. Until then, please follow the policy as usual; /policybot shows what "
                "I can do now."
            ),
        )

    for later in ids.LATER_COMMANDS:
        app.command(later)(not_yet)
