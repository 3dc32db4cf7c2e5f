# The front desk of the abuse log: /abuse-log (the form), /abuse-log list, and the status buttons.
from __future__ import annotations

from collections.abc import Mapping

from bot.abuse import forms
from bot.abuse import service as abuse
from bot.abuse.messages import ACTION_STATUS, AbuseAction, log_pages
from bot.abuse.model import STATUS_LABELS, Status
from bot.front import Asked, Button, ButtonRun, Command, Desk, Notice, OpenForm, Pages, Submit
from bot.services import Services

COMMAND = "/abuse-log"


def desk() -> Desk:
    """Everything the abuse log offers in chat."""
    return Desk(
        commands=(
            Command(COMMAND, "abuse log", "abuse log", open_form),
            Command(COMMAND, "abuse log list", "abuse log list", show_log, word="list"),
        ),
        submits=(Submit(forms.ABUSE_FORM, "abuse log entry", submit, failed="Not logged"),),
        buttons=tuple(
            Button(action, f"abuse log {status.value}", _move(status))
            for action, status in ACTION_STATUS.items()
        ),
    )


async def open_form(services: Services, asked: Asked, _text: str) -> OpenForm:
    return OpenForm(forms.abuse_form(services.directory, asked.email))


async def show_log(services: Services, asked: Asked, _text: str) -> Pages:
    """The entries this person may see, and no others."""
    deps = services.abuse_deps()
    scope, entries = await abuse.visible_to(services.uow(), deps, email=asked.email)
    return Pages(
        log_pages(entries, services.directory, deps.hours.zone, scope=scope),
        cut=lambda _shown: "The log is too long to show here in full.",
    )


async def submit(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    done = await abuse.submit(
        services.uow(),
        services.abuse_deps(),
        by=asked.email,
        values=values,
        source_key=asked.source_key,
    )
    entry = done.entry
    return Notice(
        "Logged",
        f"Thank you. {entry.ref} is in the abuse log, recorded at the time you sent it. The "
        "Head of Communications (and the school's Headteacher) have it. If anyone is in danger, "
        "call the police; if it is about a pupil, tell your Safeguarding Lead now.",
    )


def _move(status: Status) -> ButtonRun:
    async def move(services: Services, asked: Asked, ref: str) -> Notice:
        await abuse.set_status(
            services.uow(), services.abuse_deps(), ref=ref, by=asked.email, status=status
        )
        return Notice("Status changed", f"{ref}: {STATUS_LABELS[status]}.")

    return move


__all__ = ["AbuseAction", "desk"]
