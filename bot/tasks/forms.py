# The task forms as data: why a take-down is not practicable.
from __future__ import annotations

from collections.abc import Mapping

from bot.forms import Field, FieldKind, Form, clean_values

REASON_FORM = "task_not_practicable"
MAX_REASON = 1000


def reason_form(task_id: str) -> Form:
    return Form(
        id=REASON_FORM,
        title="Not practicable",
        submit="Close task",
        intro="Say why the post can't be taken down or edited. The Head of Comms sees this.",
        context={"task": task_id},
        fields=(
            Field(
                "reason", "Why is it not practicable?", FieldKind.LONG_TEXT, max_length=MAX_REASON
            ),
        ),
    )


def parse_reason(task_id: str, values: Mapping[str, object]) -> str:
    """The reason given; FormInvalid when it is missing or too long."""
    return str(clean_values(reason_form(task_id), values)["reason"])
