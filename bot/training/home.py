# What a person's home page shows of training: their status (with a way to record it), and for
# the Head of Comms the Trust's progress.
from __future__ import annotations

from bot.messages import Message
from bot.services import Services
from bot.training import campaigns, messages, service


async def home_pages(services: Services, email: str) -> list[Message]:
    """The person's training status; the progress pages too for the Head of Comms."""
    deps = services.training_deps()
    status, latest = await service.status_for(services.uow(), deps, email=email)
    comms = service.is_comms(deps.directory, email)
    pages = [messages.status_message(status, latest, is_comms=comms)]
    if comms:
        register, running = await campaigns.progress(services.uow(), deps, by=email)
        pages += messages.progress_pages(register, running, deps.directory)
    return pages
