# The front desk of training: /training (status, record, campaign, progress), the person search
# of the Head of Comms' form, the two forms, and the "I've done it" button.
from __future__ import annotations

from collections.abc import Mapping

from bot.forms import Option
from bot.front import Asked, Button, Command, Desk, Notice, OpenForm, Pages, Search, Submit
from bot.services import Services
from bot.training import campaigns, forms, messages
from bot.training import service as training
from bot.training.messages import TrainingAction, day

COMMAND = "/training"


def desk() -> Desk:
    """Everything training offers in chat."""
    return Desk(
        commands=(
            Command(COMMAND, "training", "training status", show_status),
            Command(
                COMMAND,
                "training record",
                "training record",
                open_record,
                word="record",
                aliases=("done", "completed"),
            ),
            Command(COMMAND, "training campaign", "training campaign", open_campaign, "campaign"),
            Command(COMMAND, "training progress", "training progress", show_progress, "progress"),
        ),
        submits=(
            Submit(forms.RECORD_FORM, "training record", record),
            Submit(forms.CAMPAIGN_FORM, "training campaign", start_campaign, "Not started"),
        ),
        buttons=(Button(TrainingAction.RECORD, "training record", open_record),),
        searches=(Search(forms.PERSON_FIELD, "training person search", person_options),),
    )


async def show_status(services: Services, asked: Asked, _text: str) -> Pages:
    deps = services.training_deps()
    status, latest = await training.status_for(services.uow(), deps, email=asked.email)
    comms = training.is_comms(services.directory, asked.email)
    return Pages([messages.status_message(status, latest, is_comms=comms)])


async def open_record(services: Services, asked: Asked, _text: str) -> OpenForm:
    """The completion form; the Head of Comms may record a colleague's."""
    for_others = training.is_comms(services.directory, asked.email)
    return OpenForm(forms.record_form(services.today(), for_others=for_others))


async def open_campaign(services: Services, asked: Asked, _text: str) -> OpenForm:
    campaigns.check_may_campaign(services.training_deps(), asked.email)
    return OpenForm(forms.campaign_form(services.directory, services.today()))


async def show_progress(services: Services, asked: Asked, _text: str) -> Pages:
    deps = services.training_deps()
    register, running = await campaigns.progress(services.uow(), deps, by=asked.email)
    return Pages(messages.progress_pages(register, running, services.directory))


async def person_options(
    services: Services, email: str, query: str, _values: Mapping[str, object]
) -> list[Option]:
    """People of the directory, for the Head of Comms only."""
    if not training.is_comms(services.directory, email):
        return []
    return [Option(p.email, p.name) for p in services.directory.search_people(query)]


async def record(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    deps = services.training_deps()
    done = await training.record_completion(services.uow(), deps, by=asked.email, values=values)
    return Notice("Training recorded", recorded_text(services, asked.email, done))


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


async def start_campaign(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Notice:
    started = await campaigns.start_campaign(
        services.uow(),
        services.training_deps(),
        by=asked.email,
        values=values,
        source_key=asked.source_key,
    )
    campaign = started.campaign
    return Notice(
        "Refresher started",
        f"{campaign.ref} asks {messages.scope_name(services.directory, campaign.site_id)} "
        f"to complete the training by {day(campaign.deadline)}. "
        + (f"{started.told} people have been told. " if started.created else "")
        + "They are reminded weekly in term time until they have done it; "
        "/training progress shows who has.",
    )
