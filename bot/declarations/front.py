# The front desk of relationship declarations: the command and its register, the pupil search,
# the form, and the buttons (Acknowledge, Ask a question, Reply, It has ended, Still true).
from __future__ import annotations

from collections.abc import Mapping

from bot.declarations import forms
from bot.declarations import service as declarations
from bot.declarations.home import register_messages
from bot.declarations.messages import DeclarationAction
from bot.forms import Option
from bot.front import (
    Asked,
    Button,
    ButtonRun,
    Command,
    Desk,
    Notice,
    OpenForm,
    Pages,
    Search,
    Submit,
    SubmitRun,
)
from bot.services import Services

COMMAND = "/declare-relationship"


def desk() -> Desk:
    """Everything declarations offer in chat."""
    return Desk(
        commands=(
            Command(COMMAND, "declare relationship", "declaration", open_form),
            Command(
                COMMAND,
                "declare relationship list",
                "declaration register",
                show_register,
                word="list",
                aliases=("register", "mine"),
            ),
        ),
        submits=(
            Submit(forms.DECLARATION_FORM, "declaration", submit, failed="Not sent"),
            Submit(forms.QUESTION_FORM, "declaration question", _ask(reply=False), "Not sent"),
            Submit(forms.REPLY_FORM, "declaration reply", _ask(reply=True), "Not sent"),
            Submit(forms.END_FORM, "end declaration", end),
        ),
        buttons=(
            Button(DeclarationAction.ACKNOWLEDGE, "acknowledge declaration", acknowledge),
            Button(DeclarationAction.CONFIRM, "confirm declaration", confirm),
            Button(DeclarationAction.ASK, "open declaration question", _question(reply=False)),
            Button(DeclarationAction.REPLY, "open declaration reply", _question(reply=True)),
            Button(DeclarationAction.END, "open end declaration", open_end),
        ),
        searches=(Search(forms.PUPIL_FIELD, "declaration pupil search", pupil_options),),
    )


async def open_form(services: Services, asked: Asked, _text: str) -> OpenForm:
    return OpenForm(forms.declaration_form(services.directory, asked.email))


async def show_register(services: Services, asked: Asked, _text: str) -> Pages:
    """The register as this person may see it (their own declarations, and a Safeguarding
    Lead's sites')."""
    deps = services.declaration_deps()
    found = await declarations.register_for(
        services.uow(), deps, email=asked.email, include_ended=True
    )
    return Pages(
        register_messages(found, services.directory, deps.today()),
        cut=lambda _shown: "The register is too long to show here in full.",
    )


async def pupil_options(
    services: Services, email: str, query: str, _values: Mapping[str, object]
) -> list[Option]:
    """Pupils of the person's own schools."""
    deps = services.declaration_deps()
    return await declarations.pupil_options(services.uow(), deps, email=email, query=query)


async def submit(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    done = await declarations.submit(
        services.uow(),
        services.declaration_deps(),
        declarer=asked.email,
        values=values,
        source_key=asked.source_key,
    )
    declaration = done.declaration
    leads = ", ".join(services.directory.display_name(e) for e in declaration.leads)
    mail = (
        "A copy has been e-mailed to them, with you in copy."
        if declaration.mail.value == "queued"
        else "E-mail is not set up for policybot, so no e-mail was sent; this record "
        "is kept and your Safeguarding Lead has it in chat."
    )
    return Notice(
        "Declaration sent",
        f"Thank you. {declaration.ref} has gone to {leads} (Safeguarding). {mail} "
        "I'll message you when it is acknowledged, and once a year to check it is "
        "still true.",
    )


async def acknowledge(services: Services, asked: Asked, ref: str) -> None:
    await declarations.acknowledge(
        services.uow(), services.declaration_deps(), ref=ref, by=asked.email
    )


async def confirm(services: Services, asked: Asked, ref: str) -> Notice:
    await declarations.confirm(services.uow(), services.declaration_deps(), ref=ref, by=asked.email)
    return Notice("Confirmed", f"Thank you: {ref} is confirmed for another year.")


def _question(*, reply: bool) -> ButtonRun:
    """Ask a question (a Safeguarding Lead) or reply to one (the declarer), when they may."""

    async def open_it(services: Services, asked: Asked, ref: str) -> OpenForm:
        await declarations.check_may_ask(
            services.uow(), services.declaration_deps(), ref=ref, by=asked.email, reply=reply
        )
        return OpenForm(forms.question_form(ref, reply=reply))

    return open_it


async def open_end(services: Services, asked: Asked, ref: str) -> OpenForm:
    await declarations.check_may_end(
        services.uow(), services.declaration_deps(), ref=ref, by=asked.email
    )
    return OpenForm(forms.end_form(ref))


def _ask(*, reply: bool) -> SubmitRun:
    async def send(
        services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
    ) -> Notice:
        ref = context.get("ref", "")
        text = forms.parse_question(ref, values, reply=reply)
        await declarations.ask(
            services.uow(),
            services.declaration_deps(),
            ref=ref,
            by=asked.email,
            text=text,
            reply=reply,
        )
        to = "the Safeguarding Leads" if reply else "the member of staff"
        return Notice("Sent", f"Sent to {to} about {ref}.")

    return send


async def end(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    ref = context.get("ref", "")
    reason, note = forms.parse_end(ref, values)
    await declarations.end(
        services.uow(),
        services.declaration_deps(),
        ref=ref,
        by=asked.email,
        reason=reason,
        note=note,
    )
    return Notice("Ended", f"{ref} has ended. It stays in the register.")
