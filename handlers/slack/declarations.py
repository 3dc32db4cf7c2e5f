# Slack listeners for relationship declarations: the command and its register, the pupil
# search, the form, and the buttons (Acknowledge, Ask a question, Reply, It has ended, Still true).
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.declarations import forms
from bot.declarations import service as declarations
from bot.declarations.home import register_messages
from bot.declarations.messages import DeclarationAction
from bot.errors import PolicyError, UnknownPerson
from bot.services import Services
from handlers.slack import parse, render
from handlers.slack.feedback import apology, tell
from handlers.slack.listeners import act, submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)
COMMAND = "/declare-relationship"
LIST_WORDS = {"list", "register", "mine"}


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the declaration listeners; each acks first (or acks with its answer)."""

    def deps() -> declarations.DeclarationDeps:
        return services.declaration_deps()

    @app.command(COMMAND)
    async def open_form(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        log.info("command %s from %s", COMMAND, body.get("user_id"))
        try:
            email = await people.email_of(body["user_id"])
        except UnknownPerson as error:
            await tell(client, body, error.message)
            return
        if str(body.get("text") or "").strip().lower() in LIST_WORDS:
            found = await declarations.register_for(
                services.uow(), deps(), email=email, include_ended=True
            )
            pages = register_messages(found, services.directory, deps().today())
            await respond(
                **render.ephemeral_pages(
                    pages, lambda shown: "The register is too long to show here in full."
                )
            )
            return
        form = forms.declaration_form(services.directory, email)
        await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

    @app.options(forms.PUPIL_FIELD)
    async def pupil_search(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Pupils of the person's own schools; nothing for people outside the directory."""
        try:
            email = await people.email_of((body.get("user") or {}).get("id", ""))
            found = await declarations.pupil_options(
                services.uow(), deps(), email=email, query=str(body.get("value") or "")
            )
        except Exception as error:
            apology(error, "declaration pupil search")
            found = []
        await ack(**render.options([(o.value, o.label) for o in found]))

    @app.view(forms.DECLARATION_FORM)
    async def submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            done = await declarations.submit(
                services.uow(),
                deps(),
                declarer=email,
                values=values,
                source_key=f"slack:view:{view['id']}",
            )
            declaration = done.declaration
            leads = ", ".join(services.directory.display_name(e) for e in declaration.leads)
            mail = (
                "A copy has been e-mailed to them, with you in copy."
                if declaration.mail.value == "queued"
                else "E-mail is not set up for policybot, so no e-mail was sent; this record "
                "is kept and your Safeguarding Lead has it in chat."
            )
            return render.notice_view(
                "Declaration sent",
                f"Thank you. {declaration.ref} has gone to {leads} (Safeguarding). {mail} "
                "I'll message you when it is acknowledged, and once a year to check it is "
                "still true.",
            )

        await submit_form(services, people, ack, body, view, "declaration", call, failed="Not sent")

    @app.action(DeclarationAction.ACKNOWLEDGE)
    async def acknowledge(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()

        async def call(email: str, ref: str) -> None:
            await declarations.acknowledge(services.uow(), deps(), ref=ref, by=email)

        await act(services, people, client, body, "acknowledge declaration", call)

    @app.action(DeclarationAction.CONFIRM)
    async def confirm(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()

        async def call(email: str, ref: str) -> None:
            await declarations.confirm(services.uow(), deps(), ref=ref, by=email)
            await tell(client, body, f"Thank you: {ref} is confirmed for another year.")

        await act(services, people, client, body, "confirm declaration", call)

    def opener(*, reply: bool | None) -> Any:
        """A button that opens a form, after checking the person may use it now."""

        async def open_it(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            ref = parse.action_value(body)
            try:
                email = await people.email_of(body["user"]["id"])
                if reply is None:
                    await declarations.check_may_end(services.uow(), deps(), ref=ref, by=email)
                    form = forms.end_form(ref)
                else:
                    await declarations.check_may_ask(
                        services.uow(), deps(), ref=ref, by=email, reply=reply
                    )
                    form = forms.question_form(ref, reply=reply)
            except PolicyError as error:
                await tell(client, body, error.message)
                return
            await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

        return open_it

    app.action(DeclarationAction.ASK)(opener(reply=False))
    app.action(DeclarationAction.REPLY)(opener(reply=True))
    app.action(DeclarationAction.END)(opener(reply=None))

    def question_submitter(*, reply: bool) -> Any:
        async def submit_it(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            async def call(email: str, ref: str, values: dict[str, object], _v: Any) -> dict:
                text = forms.parse_question(ref, values, reply=reply)
                await declarations.ask(
                    services.uow(), deps(), ref=ref, by=email, text=text, reply=reply
                )
                to = "the Safeguarding Leads" if reply else "the member of staff"
                return render.notice_view("Sent", f"Sent to {to} about {ref}.")

            what = "declaration reply" if reply else "declaration question"
            await submit_form(services, people, ack, body, view, what, call, failed="Not sent")

        return submit_it

    app.view(forms.QUESTION_FORM)(question_submitter(reply=False))
    app.view(forms.REPLY_FORM)(question_submitter(reply=True))

    @app.view(forms.END_FORM)
    async def end(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, ref: str, values: dict[str, object], _v: Any) -> dict:
            reason, note = forms.parse_end(ref, values)
            await declarations.end(
                services.uow(), deps(), ref=ref, by=email, reason=reason, note=note
            )
            return render.notice_view("Ended", f"{ref} has ended. It stays in the register.")

        await submit_form(services, people, ack, body, view, "end declaration", call)
