# Oversight in chat: `/policybot summary` (Teams: "summary") for the people who hold the roles.
from __future__ import annotations

from bot.front import Asked, Command, Desk, Pages, Reply
from bot.oversight import messages, service
from bot.services import Services


async def show_summary(services: Services, asked: Asked, _text: str) -> Reply:
    """The figures the person oversees, with the change since their last weekly digest."""
    digests = await service.summary(services.uow(), services.training_deps(), by=asked.email)
    return Pages([messages.digest_message(services.directory, d) for d in digests])


def desk() -> Desk:
    return Desk(
        commands=(
            Command(
                slack="/policybot",
                word="summary",
                teams="summary",
                what="oversight summary",
                run=show_summary,
            ),
        )
    )
