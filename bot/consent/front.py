# The front desk of the consent register: /consent, its pupil search, and its two forms.
from __future__ import annotations

from collections.abc import Mapping

from bot.consent import forms, messages
from bot.consent import service as consent
from bot.consent.service import ConsentDeps
from bot.errors import NotAllowed
from bot.forms import Option
from bot.front import Asked, Command, Desk, Notice, OpenForm, Search, Submit
from bot.services import Services

COMMAND = "/consent"


def desk() -> Desk:
    """Everything the consent register offers in chat."""
    return Desk(
        commands=(Command(COMMAND, "consent", "consent register", open_register),),
        submits=(
            Submit(forms.PICK_FORM, "consent look-up", pupil_chosen),
            Submit(forms.CHANGE_FORM, "consent change", change_recorded, failed="Not recorded"),
        ),
        searches=(Search(forms.PUPIL_FIELD, "pupil search", pupil_options),),
    )


def _deps(services: Services) -> ConsentDeps:
    return ConsentDeps(services.directory, services.clock, services.hours)


async def open_register(services: Services, asked: Asked, _text: str) -> OpenForm:
    """The pupil picker, for the school offices and the Head of Comms only."""
    if not consent.may_keep(services.directory, asked.email):
        raise NotAllowed(consent.REFUSAL)
    return OpenForm(forms.pick_form())


async def pupil_options(
    services: Services, email: str, query: str, _values: Mapping[str, object]
) -> list[Option]:
    """Pupils of the registers the person keeps; nothing at all for anyone else."""
    found = await consent.search(services.uow(), _deps(services), viewer=email, query=query)
    return [Option(str(p.id), messages.option_label(p, services.directory)) for p in found]


async def pupil_chosen(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> OpenForm:
    deps = _deps(services)
    pupil, history = await consent.look_up(
        services.uow(), deps, viewer=asked.email, pupil_id=forms.parse_pick(values)
    )
    zone, today = services.hours.zone, deps.today()
    return OpenForm(forms.change_form(pupil, history, services.directory, zone, today))


async def change_recorded(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    change = forms.parse_change(values, context)
    done = await consent.record_change(
        services.uow(),
        _deps(services),
        pupil_id=change.pupil_id,
        actor=asked.email,
        consent=change.consent,
        changed_on=change.changed_on,
        source=change.source,
        note=change.note,
        seen_version=change.seen_version,
        source_key=asked.source_key,
    )
    text = messages.confirmation(done.pupil, created=done.created, takedowns=done.takedowns)
    return Notice("Consent recorded", text)
