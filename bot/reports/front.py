# The front desk of misuse reports: /report-misuse, its forms, the card's buttons, the staff search.
from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.errors import FormInvalid
from bot.forms import Form
from bot.front import (
    Asked,
    Button,
    ButtonRun,
    Command,
    Desk,
    Notice,
    OpenForm,
    Search,
    Submit,
    staff_search,
)
from bot.reports import form as forms
from bot.reports import service as reports
from bot.reports.messages import ReportAction
from bot.reports.model import MisuseReport
from bot.services import Services

COMMAND = "/report-misuse"


def desk() -> Desk:
    """Everything misuse reports offer in chat."""
    return Desk(
        commands=(Command(COMMAND, "report misuse", "misuse report", open_report),),
        submits=(
            Submit(forms.REPORT_FORM, "report", submit_report, failed="Not sent"),
            Submit(forms.NOTE_FORM, "note", add_note),
            Submit(forms.CLOSE_FORM, "close", close),
            Submit(forms.HANDOVER_FORM, "hand over", hand_over),
        ),
        buttons=(
            Button(ReportAction.ACKNOWLEDGE, "acknowledge", acknowledge),
            Button(
                ReportAction.ADD_NOTE, "add note", _opener(lambda _s, r, _e: forms.note_form(r.ref))
            ),
            Button(ReportAction.CLOSE, "close", _opener(lambda _s, r, _e: forms.close_form(r.ref))),
            Button(ReportAction.HAND_OVER, "hand over", _opener(_handover_form)),
        ),
        searches=(Search(forms.STAFF_FIELD, "staff search", staff_search),),
    )


async def open_report(services: Services, asked: Asked, _text: str) -> OpenForm:
    return OpenForm(forms.report_form(services.directory, asked.email, today=services.today()))


async def submit_report(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    directory = services.directory
    form = forms.report_form(directory, asked.email)
    data = forms.parse_report(form, values, directory=directory, today=services.today())
    done = await reports.submit(
        services.uow(),
        services.report_deps(),
        reporter=asked.email,
        data=data,
        source_key=asked.source_key,
    )
    return Notice(
        "Report sent",
        f"Thank you. Your report {done.report.ref} has gone to {done.sent_to}. "
        "You'll get a message here when it is acknowledged and when it is closed.",
    )


async def acknowledge(services: Services, asked: Asked, ref: str) -> None:
    await reports.acknowledge(services.uow(), services.report_deps(), ref=ref, actor=asked.email)


def _opener(form_for: Callable[[Services, MisuseReport, str], Form]) -> ButtonRun:
    """A button that opens a form about a report the person may see."""

    async def open_form(services: Services, asked: Asked, ref: str) -> OpenForm:
        report = await reports.view(
            services.uow(), services.report_deps(), ref=ref, viewer=asked.email
        )
        return OpenForm(form_for(services, report, asked.email))

    return open_form


def _handover_form(services: Services, report: MisuseReport, email: str) -> Form:
    candidates = reports.handover_candidates(report, email, services.directory)
    return forms.handover_form(report.ref, candidates)


async def add_note(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> None:
    ref = context.get("ref", "")
    await reports.add_note(
        services.uow(),
        services.report_deps(),
        ref=ref,
        actor=asked.email,
        text=forms.parse_note(ref, values),
        source_key=asked.source_key,
    )


async def close(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> None:
    outcome, summary = forms.parse_outcome(values)
    await reports.close(
        services.uow(),
        services.report_deps(),
        ref=context.get("ref", ""),
        actor=asked.email,
        outcome=outcome,
        summary=summary,
    )


async def hand_over(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> None:
    to = values.get("to")
    if not isinstance(to, str) or not to:
        raise FormInvalid({"to": "Please choose a colleague."})
    await reports.hand_over(
        services.uow(), services.report_deps(), ref=context.get("ref", ""), actor=asked.email, to=to
    )
