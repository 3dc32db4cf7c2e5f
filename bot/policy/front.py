# The policy desk (rule P1) for every channel: `review`, `announce` and `acks` under /policybot
# (Teams: "policy review", ...), the three forms, and the Send, Ratify, Return and Acknowledge
# buttons. Channels parse and render; every rule is in reviews.py and changes.py.
from __future__ import annotations

from collections.abc import Mapping

from bot.errors import AlreadyDone
from bot.front import (
    Answer,
    Asked,
    Button,
    Command,
    Desk,
    Notice,
    OpenForm,
    Pages,
    Reply,
    Submit,
)
from bot.policy import changes, messages, reviews
from bot.policy.forms import ANNOUNCE_FORM, RETURN_FORM, REVIEW_FORM, parse_return, return_form
from bot.policy.messages import PolicyAction, when
from bot.policy.model import day_words
from bot.services import Services

SLACK = "/policybot"


async def review_command(services: Services, asked: Asked, _text: str) -> Reply:
    """The Head of Comms gets the form that sends a review to ELT; anyone else (or the Head
    of Comms while one waits) is told where the review stands."""
    deps = services.policy_deps()
    if deps.directory.holds(asked.email, "head_of_comms"):
        try:
            return OpenForm(await reviews.open_review_form(services.uow(), deps, by=asked.email))
        except AlreadyDone as waiting:
            return Notice("Policy review", waiting.message)
    due, waiting = await reviews.review_date(services.uow(), deps)
    return Notice("Policy review", messages.review_status(due, waiting, deps.directory))


async def open_review(services: Services, asked: Asked, _value: str) -> Answer:
    """Send for ratification, on a reminder or a returned review."""
    form = await reviews.open_review_form(services.uow(), services.policy_deps(), by=asked.email)
    return OpenForm(form)


async def send_review(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Answer:
    deps = services.policy_deps()
    sent = await reviews.send_for_ratification(
        services.uow(), deps, by=asked.email, values=dict(values), source_key=asked.source_key
    )
    review = sent.review
    names = ", ".join(deps.directory.display_name(e) for e in review.sent_to)
    if not sent.created:
        return Notice("Already sent", f"That was sent already as {review.ref}.")
    return Notice(
        "Sent to ELT",
        f"{review.ref} is with {names}. The next review date will be "
        f"{day_words(review.next_review)} once one of them ratifies it; you'll hear when they "
        "decide.",
    )


async def ratify(services: Services, asked: Asked, ref: str) -> Answer:
    review = await reviews.decide(
        services.uow(), services.policy_deps(), ref=ref, by=asked.email, ratify=True
    )
    return Notice(
        "Ratified",
        f"You ratified {ref}. The next review is due on {day_words(review.next_review)}; "
        "the Head of Communications has been told.",
    )


async def open_return(services: Services, asked: Asked, ref: str) -> Answer:
    await reviews.check_may_decide(services.uow(), services.policy_deps(), ref=ref, by=asked.email)
    return OpenForm(return_form(ref))


async def return_review(
    services: Services, asked: Asked, context: Mapping[str, str], values: Mapping[str, object]
) -> Answer:
    ref = context.get("ref", "")
    reason = parse_return(return_form(ref), dict(values))
    await reviews.decide(
        services.uow(),
        services.policy_deps(),
        ref=ref,
        by=asked.email,
        ratify=False,
        reason=reason,
    )
    return Notice("Returned", f"You returned {ref}. The Head of Communications has been told why.")


async def announce_command(services: Services, asked: Asked, _text: str) -> Reply:
    return OpenForm(changes.open_announce_form(services.policy_deps(), by=asked.email))


async def announce(
    services: Services, asked: Asked, _context: Mapping[str, str], values: Mapping[str, object]
) -> Answer:
    done = await changes.announce(
        services.uow(),
        services.policy_deps(),
        by=asked.email,
        values=dict(values),
        source_key=asked.source_key,
    )
    ref = done.change.ref
    if not done.created:
        return Notice("Already announced", f"That was announced already as {ref}.")
    return Notice(
        "Announced",
        f"{ref} is on its way to {len(done.change.staff)} members of staff. Anyone who has not "
        "acknowledged it is reminded weekly in term time; `acks` shows who has.",
    )


async def acknowledge(services: Services, asked: Asked, ref: str) -> Answer:
    deps = services.policy_deps()
    acked = await changes.acknowledge(services.uow(), deps, ref=ref, by=asked.email)
    at = when(acked.at, deps.hours.zone)
    if not acked.created:
        return Notice("Already acknowledged", f"You acknowledged {ref} on {at}.")
    return Notice("Acknowledged", f"Thank you: you acknowledged {ref} on {at}.")


async def acks_command(services: Services, asked: Asked, text: str) -> Reply:
    """Who has acknowledged the latest change, or the one named by its ref."""
    deps = services.policy_deps()
    ref = text.strip().split()[0].upper() if text.strip() else None
    view = await changes.ack_view(services.uow(), deps, by=asked.email, ref=ref)
    return Pages(messages.ack_pages(view, deps.directory, deps.hours.zone))


def desk() -> Desk:
    """Everything rule P1 offers in chat."""
    return Desk(
        commands=(
            Command(
                SLACK,
                "policy review",
                "the policy's review date; the Head of Communications sends a review to ELT",
                review_command,
                word="review",
            ),
            Command(
                SLACK,
                "policy announce",
                "(Head of Communications) announce a change of the policy to all staff",
                announce_command,
                word="announce",
            ),
            Command(
                SLACK,
                "policy acks",
                "who has acknowledged the latest policy change (or one named by its ref)",
                acks_command,
                word="acks",
                aliases=("acknowledgements", "acknowledged"),
            ),
        ),
        submits=(
            Submit(REVIEW_FORM, "policy review", send_review, failed="Not sent"),
            Submit(RETURN_FORM, "policy review return", return_review, failed="Not returned"),
            Submit(ANNOUNCE_FORM, "policy change", announce, failed="Not announced"),
        ),
        buttons=(
            Button(PolicyAction.SEND, "policy review send", open_review),
            Button(PolicyAction.RATIFY, "policy review ratify", ratify),
            Button(PolicyAction.RETURN, "policy review return", open_return),
            Button(PolicyAction.ACK, "policy change acknowledge", acknowledge),
        ),
    )
