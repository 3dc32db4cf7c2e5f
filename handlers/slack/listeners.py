# The two shapes every Slack listener takes: run a form's use case, or act on a card's button.
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import FormInvalid
from bot.services import Services
from handlers.slack import parse, render
from handlers.slack.feedback import apology, tell
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)

FormCall = Callable[[str, str, dict[str, object], dict[str, Any]], Awaitable[Any]]
ActCall = Callable[[str, str], Awaitable[Any]]


async def submit_form(
    services: Services,
    people: SlackPeople,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    what: str,
    call: FormCall,
    *,
    failed: str = "Not changed",
) -> None:
    """Run a form's use case as `call(email, ref, values, view)`; answer with field errors, an
    apology, or (when the use case returns a view) a confirmation in place of the form."""
    ref = parse.metadata(view).get("ref", "")
    log.info("view %s submitted for %s by %s", what, ref or "-", body["user"]["id"])
    try:
        email = await people.email_of(body["user"]["id"])
        confirmation = await call(email, ref, parse.view_values(view), view)
    except FormInvalid as error:
        await ack(response_action="errors", errors=error.errors)
        return
    except Exception as error:
        await ack(response_action="update", view=render.notice_view(failed, apology(error, what)))
        return
    if confirmation:
        await ack(response_action="update", view=confirmation)
    else:
        await ack()
    services.wake_outbox()


async def act(
    services: Services,
    people: SlackPeople,
    client: AsyncWebClient,
    body: dict[str, Any],
    what: str,
    call: ActCall,
) -> None:
    """Run a button's use case as `call(email, value)` after the ack; tell the person privately
    when it is refused."""
    value = parse.action_value(body)
    log.info("action %s on %s by %s", what, value, body["user"]["id"])
    try:
        email = await people.email_of(body["user"]["id"])
        await call(email, value)
    except Exception as error:
        await tell(client, body, apology(error, what))
        return
    services.wake_outbox()
