# Slack listeners for training: /training (status, record, progress, campaign), the person
# search of the Head of Comms' form, the two forms, and the "I've done it" button.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PolicyError, UnknownPerson
from bot.services import Services
from bot.training import campaigns, forms, messages
from bot.training import service as training
from bot.training.messages import TrainingAction, day
from handlers.slack import render
from handlers.slack.feedback import apology, tell
from handlers.slack.listeners import submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
COMMAND = "/training"
RECORD_WORDS = {"record", "done", "completed"}


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the training listeners; each acks first, then works."""

    def deps() -> training.TrainingDeps:
        return services.training_deps()

    def record_form(email: str) -> dict[str, Any]:
        for_others = training.is_comms(services.directory, email)
        return render.modal(forms.record_form(deps().today(), for_others=for_others))

    @app.command(COMMAND)
    async def command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        word = str(body.get("text") or "").strip().lower()
        log.info("command %s %s from %s", COMMAND, word or "-", body.get("user_id"))
        try:
            email = await people.email_of(body["user_id"])
            if word in RECORD_WORDS:
                await client.views_open(trigger_id=body["trigger_id"], view=record_form(email))
            elif word == "campaign":
                campaigns.check_may_campaign(deps(), email)
                form = forms.campaign_form(services.directory, deps().today())
                await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))
            elif word == "progress":
                register, running = await campaigns.progress(services.uow(), deps(), by=email)
                pages = messages.progress_pages(register, running, services.directory)
                await respond(**render.ephemeral_pages(pages, _cut))
            else:
                status, latest = await training.status_for(services.uow(), deps(), email=email)
                comms = training.is_comms(services.directory, email)
                page = messages.status_message(status, latest, is_comms=comms)
                await respond(**render.ephemeral_pages([page], _cut))
        except Exception as error:
            await respond(response_type="ephemeral", text=render.escape(apology(error, COMMAND)))

    @app.options(forms.PERSON_FIELD)
    async def person_search(ack: AsyncAck, body: dict[str, Any]) -> None:
        """People of the directory, for the Head of Comms only."""
        try:
            email = await people.email_of((body.get("user") or {}).get("id", ""))
            allowed = training.is_comms(services.directory, email)
        except UnknownPerson:
            allowed = False
        found = services.directory.search_people(str(body.get("value") or "")) if allowed else []
        await ack(**render.options([(p.email, p.name) for p in found]))

    @app.action(TrainingAction.RECORD)
    async def open_record(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        log.info("action training record by %s", body["user"]["id"])
        try:
            email = await people.email_of(body["user"]["id"])
        except PolicyError as error:
            await tell(client, body, error.message)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=record_form(email))

    @app.view(forms.RECORD_FORM)
    async def record(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], _view: Any) -> dict:
            done = await training.record_completion(services.uow(), deps(), by=email, values=values)
            return render.notice_view("Training recorded", recorded_text(services, email, done))

        await submit_form(services, people, ack, body, view, "training record", call)

    @app.view(forms.CAMPAIGN_FORM)
    async def campaign(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            started = await campaigns.start_campaign(
                services.uow(),
                deps(),
                by=email,
                values=values,
                source_key=f"slack:view:{view['id']}",
            )
            ref = started.campaign.ref
            return render.notice_view(
                "Refresher started",
                f"{ref} asks {messages.scope_name(services.directory, started.campaign.site_id)} "
                f"to complete the training by {day(started.campaign.deadline)}. "
                + (f"{started.told} people have been told. " if started.created else "")
                + "They are reminded weekly in term time until they have done it; "
                "/training progress shows who has.",
            )

        await submit_form(
            services, people, ack, body, view, "training campaign", call, failed="Not started"
        )


def recorded_text(services: Services, email: str, done: training.Recorded) -> str:
    """The confirmation of a recorded completion, in the words of the person who recorded it."""
    completion, status = done.completion, done.status
    own = completion.email == email
    whose = "your" if own else f"{services.directory.display_name(completion.email)}'s"
    when = day(completion.completed_on)
    if not done.created:
        return (
            f"That was already on record: {whose} training on {when}. {messages.standing(status)}."
        )
    text = f"Thank you: {whose} training on {when} is recorded. {messages.standing(status)}."
    return text if own else text + " They have been told."


def _cut(shown: int) -> str:
    return f"Only the first {shown} pages fit here; App Home shows the rest."
