# Slack listeners for misuse reports: the command, the forms, and the card's buttons.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import FormInvalid, PolicyError, UnknownPerson
from bot.reports import form as forms
from bot.reports import service as reports
from bot.services import Services
from handlers.slack import ids, parse, render
from handlers.slack.feedback import tell
from handlers.slack.listeners import act, submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the report listeners. Each acks first (or acks with its answer), then works."""

    @app.command(ids.REPORT_COMMAND)
    async def open_report(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        log.info("command %s from %s", ids.REPORT_COMMAND, body.get("user_id"))
        try:
            email = await people.email_of(body["user_id"])
        except UnknownPerson as error:
            await client.chat_postEphemeral(
                channel=body["channel_id"], user=body["user_id"], text=error.message
            )
            return
        today = services.clock.now().astimezone(services.hours.zone).date()
        view = render.modal(forms.report_form(services.directory, email, today=today))
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.options("subject_staff")
    async def staff_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        query = str(body.get("value") or "")
        people_found = services.directory.search_people(query, limit=50)
        await ack(**render.options([(p.email, p.name) for p in people_found]))

    @app.view(ids.REPORT_FORM)
    async def submit_report(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            directory = services.directory
            today = services.clock.now().astimezone(services.hours.zone).date()
            data = forms.parse_report(
                forms.report_form(directory, email), values, directory=directory, today=today
            )
            done = await reports.submit(
                services.uow(),
                services.report_deps(),
                reporter=email,
                data=data,
                source_key=f"slack:view:{view['id']}",
            )
            return render.notice_view(
                "Report sent",
                f"Thank you. Your report {done.report.ref} has gone to {done.sent_to}. "
                "You'll get a message here when it is acknowledged and when it is closed.",
            )

        await _submit_form(ack, body, view, "report", call, failed="Not sent")

    @app.action(ids.ReportAction.ACKNOWLEDGE)
    async def acknowledge(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await _act(
            client,
            body,
            "acknowledge",
            lambda email, ref: reports.acknowledge(
                services.uow(), services.report_deps(), ref=ref, actor=email
            ),
        )

    async def _act(client: AsyncWebClient, body: dict[str, Any], what: str, call: Any) -> None:
        await act(services, people, client, body, what, call)

    def _opener(form_for: Any) -> Any:
        async def open_form(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
            await ack()
            ref = parse.action_value(body)
            try:
                email = await people.email_of(body["user"]["id"])
                report = await reports.view(
                    services.uow(), services.report_deps(), ref=ref, viewer=email
                )
                form = form_for(report, email)
            except PolicyError as error:
                await tell(client, body, error.message)
                return
            await client.views_open(trigger_id=body["trigger_id"], view=render.modal(form))

        return open_form

    app.action(ids.ReportAction.ADD_NOTE)(_opener(lambda report, _e: forms.note_form(report.ref)))
    app.action(ids.ReportAction.CLOSE)(_opener(lambda report, _e: forms.close_form(report.ref)))
    app.action(ids.ReportAction.HAND_OVER)(
        _opener(
            lambda report, email: forms.handover_form(
                report.ref, reports.handover_candidates(report, email, services.directory)
            )
        )
    )

    async def _submit_form(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        what: str,
        call: Any,
        *,
        failed: str = "Not changed",
    ) -> None:
        await submit_form(services, people, ack, body, view, what, call, failed=failed)

    @app.view(ids.NOTE_FORM)
    async def submit_note(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, ref: str, values: dict[str, object], view: Any) -> None:
            text = forms.parse_note(ref, values)
            await reports.add_note(
                services.uow(),
                services.report_deps(),
                ref=ref,
                actor=email,
                text=text,
                source_key=f"slack:view:{view['id']}",
            )

        await _submit_form(ack, body, view, "note", call)

    @app.view(ids.CLOSE_FORM)
    async def submit_close(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, ref: str, values: dict[str, object], _view: Any) -> None:
            outcome, summary = forms.parse_outcome(values)
            await reports.close(
                services.uow(),
                services.report_deps(),
                ref=ref,
                actor=email,
                outcome=outcome,
                summary=summary,
            )

        await _submit_form(ack, body, view, "close", call)

    @app.view(ids.HANDOVER_FORM)
    async def submit_handover(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, ref: str, values: dict[str, object], _view: Any) -> None:
            to = values.get("to")
            if not isinstance(to, str) or not to:
                raise FormInvalid({"to": "Please choose a colleague."})
            await reports.hand_over(
                services.uow(), services.report_deps(), ref=ref, actor=email, to=to
            )

        await _submit_form(ack, body, view, "hand over", call)
