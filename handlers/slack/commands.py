# The desk's commands as Slack slash commands: one listener per command, which picks the
# sub-command by the first word of its text, runs it, and answers privately.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.front import Desk, Notice, OpenForm, Pages, Reply, run_command
from bot.services import Services
from handlers.slack import render
from handlers.slack.listeners import Listener, resolver
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
# These commands have always told their notices (a refusal, "no account yet") with
# chat.postEphemeral; every other answer to a command goes to the command's response URL.
POSTED_EPHEMERAL = frozenset(
    {"/report-misuse", "/request-post", "/consent", "/declare-relationship"}
)


def register(app: AsyncApp, desk: Desk, services: Services, people: SlackPeople) -> None:
    """A listener for each of the desk's slash commands."""
    for slack in desk.slash_commands():
        app.command(slack)(_on_command(slack, desk, services, people))


def _on_command(slack: str, desk: Desk, services: Services, people: SlackPeople) -> Listener:
    """Ack first (a quick command acks with its answer), then run and answer."""

    async def on_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        found = desk.command(slack, str(body.get("text") or ""))
        if found is None:
            await ack()
            return
        command, text = found
        log.info("command %s %s from %s", slack, command.word or "-", body.get("user_id"))
        resolve, key = resolver(people, body["user_id"]), f"slack:command:{body.get('trigger_id')}"
        if command.quick:
            reply = await run_command(services, command, resolve, key, text)
            answer = _answer(reply)
            if answer:
                await ack(**answer)
                return
            await ack()
        else:
            await ack()
            reply = await run_command(services, command, resolve, key, text)
        await _deliver(slack, reply, body, client, respond)

    return on_command


def _answer(reply: Reply) -> dict[str, Any] | None:
    """A private answer as the body of a response, or None for a form to open."""
    if isinstance(reply, Pages):
        return render.ephemeral_pages(list(reply.pages), reply.cut)
    if isinstance(reply, Notice):
        return {"response_type": "ephemeral", "text": render.escape(reply.text)}
    return None


async def _deliver(
    slack: str, reply: Reply, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    if isinstance(reply, OpenForm):
        await client.views_open(trigger_id=body["trigger_id"], view=render.modal(reply.form))
    elif isinstance(reply, Notice) and slack in POSTED_EPHEMERAL:
        text = render.escape(reply.text)
        await client.chat_postEphemeral(channel=body["channel_id"], user=body["user_id"], text=text)
    elif answer := _answer(reply):
        await respond(**answer)
