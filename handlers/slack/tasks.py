# Slack listeners for tasks: "Taken down" / "Done", and "Not practicable" with its reason form.
from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.tasks import forms
from bot.tasks import service as tasks
from bot.tasks.jobs import task_deps
from bot.tasks.messages import TaskAction
from bot.tasks.model import TaskStatus
from handlers.slack import parse, render
from handlers.slack.feedback import apology, tell
from handlers.slack.listeners import act, submit_form
from handlers.slack.people import SlackPeople

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services, people: SlackPeople) -> None:
    """Attach the task listeners. Each acks first (or acks with its answer), then works."""

    @app.action(TaskAction.DONE)
    async def done(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()

        async def call(email: str, task_id: str) -> None:
            await tasks.close_task(
                services.uow(),
                task_deps(services),
                task_id=_number(task_id),
                actor=email,
                status=TaskStatus.DONE,
            )

        await act(services, people, client, body, "task done", call)

    @app.action(TaskAction.NOT_PRACTICABLE)
    async def not_practicable(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        task_id = parse.action_value(body)
        log.info("action task not practicable on %s by %s", task_id, body["user"]["id"])
        try:
            email = await people.email_of(body["user"]["id"])
            await tasks.for_closing(
                services.uow(), task_deps(services), task_id=_number(task_id), viewer=email
            )
        except Exception as error:
            await tell(client, body, apology(error, "task not practicable"))
            return
        view = render.modal(forms.reason_form(task_id))
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(forms.REASON_FORM)
    async def reason_given(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        async def call(email: str, _ref: str, values: dict[str, object], view: Any) -> dict:
            task_id = parse.metadata(view).get("task", "")
            task = await tasks.close_task(
                services.uow(),
                task_deps(services),
                task_id=_number(task_id),
                actor=email,
                status=TaskStatus.NOT_PRACTICABLE,
                reason=forms.parse_reason(task_id, values),
            )
            text = f"Thank you. Task {task.id} is closed as not practicable."
            return render.notice_view("Task closed", text)

        await submit_form(services, people, ack, body, view, "task not practicable", call)


def _number(task_id: str) -> int:
    return int(task_id) if task_id.isdigit() else 0
