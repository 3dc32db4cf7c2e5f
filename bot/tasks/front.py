# The front desk of tasks: "Taken down" / "Done", and "Not practicable" with its reason form.
from __future__ import annotations

from collections.abc import Mapping

from bot.front import Asked, Button, Desk, Notice, OpenForm, Submit
from bot.services import Services
from bot.tasks import forms
from bot.tasks import service as tasks
from bot.tasks.jobs import task_deps
from bot.tasks.messages import TaskAction
from bot.tasks.model import TaskStatus


def desk() -> Desk:
    """Everything tasks offer in chat (they are created by other flows and jobs)."""
    return Desk(
        submits=(Submit(forms.REASON_FORM, "task not practicable", closed_not_practicable),),
        buttons=(
            Button(TaskAction.DONE, "task done", done),
            Button(TaskAction.NOT_PRACTICABLE, "task not practicable", open_reason),
        ),
    )


def _number(task_id: str) -> int:
    return int(task_id) if task_id.isdigit() else 0


async def done(services: Services, asked: Asked, task_id: str) -> None:
    await tasks.close_task(
        services.uow(),
        task_deps(services),
        task_id=_number(task_id),
        actor=asked.email,
        status=TaskStatus.DONE,
    )


async def open_reason(services: Services, asked: Asked, task_id: str) -> OpenForm:
    """The reason form, for someone who may close the task now."""
    await tasks.for_closing(
        services.uow(), task_deps(services), task_id=_number(task_id), viewer=asked.email
    )
    return OpenForm(forms.reason_form(task_id))


async def closed_not_practicable(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    task_id = context.get("task", "")
    task = await tasks.close_task(
        services.uow(),
        task_deps(services),
        task_id=_number(task_id),
        actor=asked.email,
        status=TaskStatus.NOT_PRACTICABLE,
        reason=forms.parse_reason(task_id, values),
    )
    return Notice("Task closed", f"Thank you. Task {task.id} is closed as not practicable.")
