# What a person's home page shows of rule P1: changes they have still to acknowledge, a review
# waiting for them to ratify (ELT), and the review date (the Head of Comms).
from __future__ import annotations

from bot.messages import Message
from bot.policy import messages, reviews
from bot.services import Services


async def home_pages(services: Services, email: str) -> list[Message]:
    """Each change the person has not acknowledged (with Acknowledge); for ELT, the review
    waiting for them (with Ratify and Return); for the Head of Comms, where the review stands
    (with Send for ratification when none waits)."""
    deps = services.policy_deps()
    directory, zone = deps.directory, deps.hours.zone
    async with services.uow() as uow:
        pending = await uow.policy.unacknowledged(email)
    pages = [messages.change_card(change, directory, zone) for change in pending]
    due, waiting = await reviews.review_date(services.uow(), deps)
    if waiting and directory.holds(email, "elt") and email != waiting.requested_by:
        pages.append(messages.review_card(waiting, directory, zone))
    if directory.holds(email, "head_of_comms"):
        pages.append(messages.review_home(due, waiting, directory, deps.today()))
    return pages
