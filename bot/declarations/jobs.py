# The scheduled work of declarations: acknowledgement and yearly re-confirmation reminders.
from __future__ import annotations

from bot.declarations import service
from bot.services import Services


async def declaration_reminders(services: Services) -> int:
    """Run once per scheduler tick; one cheap query when nothing is due."""
    return await service.send_reminders(services.uow(), services.declaration_deps())
