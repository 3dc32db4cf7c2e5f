# The desk's forms, buttons and searches on Slack: modal submissions, block actions and the
# options of external selects. Each listener parses, runs the desk, and renders its answer.
from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import FormInvalid
from bot.front import (
    Button,
    Desk,
    Notice,
    OpenForm,
    Resolve,
    Search,
    Submit,
    run_button,
    run_search,
    run_submit,
)
from bot.services import Services
from handlers.slack import parse, render
from handlers.slack.feedback import tell
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
Listener = Any  # a Bolt listener: an async function taking what it needs by name


def register(app: AsyncApp, desk: Desk, services: Services, people: SlackPeople) -> None:
    """A view listener per form, an action listener per button, an options listener per
    search field."""
    for submit in desk.submits:
        app.view(submit.form_id)(_on_submit(submit, services, people))
    for button in desk.buttons:
        app.action(_action_ids(button))(_on_click(button, services, people))
    for search in desk.searches:
        app.options(search.field)(_on_search(search, services, people))


def resolver(people: SlackPeople, user_id: str) -> Resolve:
    """The directory e-mail of a Slack user, looked up when the desk asks for it."""
    return lambda: people.email_of(user_id)


def _action_ids(button: Button) -> str | re.Pattern[str]:
    if button.prefixed:
        return re.compile(rf"^{re.escape(button.action_id)}(:|$)")
    return button.action_id


def _on_submit(submit: Submit, services: Services, people: SlackPeople) -> Listener:
    """Ack with field errors, or with the answer in place of the form (a notice, the next
    form), or an apology; the view id keys the submission so a retry changes nothing."""

    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        context = parse.metadata(view)
        user_id = body["user"]["id"]
        log.info("view %s submitted for %s by %s", submit.what, context.get("ref") or "-", user_id)
        try:
            answer = await run_submit(
                services,
                submit,
                resolver(people, user_id),
                f"slack:view:{view['id']}",
                context,
                parse.view_values(view),
            )
        except FormInvalid as error:
            await ack(response_action="errors", errors=error.errors)
            return
        if isinstance(answer, Notice):
            await ack(response_action="update", view=render.notice_view(answer.title, answer.text))
        elif isinstance(answer, OpenForm):
            await ack(response_action="update", view=render.modal(answer.form))
        else:
            await ack()

    return on_submit


def _on_click(button: Button, services: Services, people: SlackPeople) -> Listener:
    """Ack first; then open the form the button leads to, or tell the person privately."""

    async def on_click(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        value, user_id = parse.action_value(body), body["user"]["id"]
        log.info("action %s on %s by %s", button.what, value, user_id)
        answer = await run_button(
            services, button, resolver(people, user_id), parse.action_key(body), value
        )
        if isinstance(answer, OpenForm):
            await client.views_open(trigger_id=body["trigger_id"], view=render.modal(answer.form))
        elif isinstance(answer, Notice):
            await tell(client, body, answer.text)

    return on_click


def _on_search(search: Search, services: Services, people: SlackPeople) -> Listener:
    """The options for what was typed, with the form's answers so far."""

    async def on_search(ack: AsyncAck, body: dict[str, Any]) -> None:
        user_id = (body.get("user") or {}).get("id", "")
        found = await run_search(
            services,
            search,
            resolver(people, user_id),
            str(body.get("value") or ""),
            parse.view_values(body.get("view") or {}),
        )
        log.info("search %s by %s: %d found", search.what, user_id, len(found))
        await ack(**render.options([(o.value, o.label) for o in found]))

    return on_search
