# What a person's home page shows of the abuse log: for its keepers, the entries still open.
from __future__ import annotations

from bot.abuse import messages, service
from bot.abuse.model import Status
from bot.messages import Message
from bot.services import Services

SHOWN = 10


async def home_pages(services: Services, email: str) -> list[Message]:
    """Open entries (not closed) the person may act on, as cards; nothing for everyone else."""
    deps = services.abuse_deps()
    _scope, entries = await service.visible_to(services.uow(), deps, email=email)
    mine = [
        e
        for e in entries
        if e.status is not Status.CLOSED and service.may_act(deps.directory, e, email)
    ]
    if not mine:
        return []
    zone = deps.hours.zone
    return [
        Message(
            notification="Abuse log",
            title=f"Abuse log: {len(mine)} entry(ies) not closed",
            body="Type /abuse-log list to see the whole log you keep.",
        ),
        *(messages.entry_card(e, deps.directory, zone) for e in mine[:SHOWN]),
    ]
