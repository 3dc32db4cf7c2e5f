# What a person's home page shows of tasks.
from __future__ import annotations

from bot.messages import Message
from bot.services import Services
from bot.tasks import messages, service
from bot.tasks.jobs import task_deps

SHOWN = 10


async def home_pages(services: Services, email: str) -> list[Message]:
    """The open tasks this person can close now, with their buttons (nothing when none)."""
    deps = task_deps(services)
    waiting = await service.open_for(services.uow(), deps, email=email)
    if not waiting:
        return []
    more = len(waiting) - SHOWN
    pages = [
        Message(
            notification="Tasks for you",
            title="Tasks for you",
            body=f"{len(waiting)} task(s) are open."
            + (f" The oldest {SHOWN} are below." if more > 0 else ""),
        )
    ]
    zone = services.hours.zone
    pages += [messages.task_card(t, p, deps.directory, zone) for t, p in waiting[:SHOWN]]
    return pages
