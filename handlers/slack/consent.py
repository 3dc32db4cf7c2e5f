# Slack listeners for the consent register: /consent, its pupil search, and its two forms.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.consent import forms, messages
from bot.consent import service as consent
from bot.consent.service import ConsentDeps
from bot.errors import UnknownPerson
from bot.services import Services
from handlers.slack import parse, render
from handlers.slack.feedback import apology
from handlers.slack.listeners import submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
CONSENT_COMMAND = "/consent"


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the consent listeners. Each acks first (or acks with its answer), then works."""

    def deps() -> ConsentDeps:
        return ConsentDeps(services.directory, services.clock, services.hours)

    @app.command(CONSENT_COMMAND)
    async def open_register(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        log.info("command %s from %s", CONSENT_COMMAND, body.get("user_id"))
        try:
            email = await people.email_of(body["user_id"])
        except UnknownPerson as error:
            allowed, text = False, error.message
        else:
            allowed, text = consent.may_keep(services.directory, email), consent.REFUSAL
        if not allowed:
            await client.chat_postEphemeral(
                channel=body["channel_id"], user=body["user_id"], text=render.escape(text)
            )
            return
        await client.views_open(trigger_id=body["trigger_id"], view=render.modal(forms.pick_form()))

    @app.options(forms.PUPIL_FIELD)
    async def pupil_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Pupils of the registers the person keeps; nothing at all for anyone else."""
        try:
            email = await people.email_of(body["user"]["id"])
            query = str(body.get("value") or "")
            found = await consent.search(services.uow(), deps(), viewer=email, query=query)
        except Exception as error:
            apology(error, "pupil search")
            found = []
        log.info("pupil search by %s: %d found", body["user"]["id"], len(found))
        directory = services.directory
        await ack(
            **render.options([(str(p.id), messages.option_label(p, directory)) for p in found])
        )

    @app.view(forms.PICK_FORM)
    async def pupil_chosen(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], _view: Any) -> dict:
            pupil, history = await consent.look_up(
                services.uow(), deps(), viewer=email, pupil_id=forms.parse_pick(values)
            )
            zone, today = services.hours.zone, deps().today()
            return render.modal(forms.change_form(pupil, history, services.directory, zone, today))

        await submit_form(services, people, ack, body, view, "consent look-up", call)

    @app.view(forms.CHANGE_FORM)
    async def change_recorded(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            change = forms.parse_change(values, parse.metadata(view))
            done = await consent.record_change(
                services.uow(),
                deps(),
                pupil_id=change.pupil_id,
                actor=email,
                consent=change.consent,
                changed_on=change.changed_on,
                source=change.source,
                note=change.note,
                seen_version=change.seen_version,
                source_key=f"slack:view:{view['id']}",
            )
            text = messages.confirmation(done.pupil, created=done.created, takedowns=done.takedowns)
            return render.notice_view("Consent recorded", text)

        await submit_form(
            services, people, ack, body, view, "consent change", call, failed="Not recorded"
        )
