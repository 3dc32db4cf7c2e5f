# The scheduled work of network requests: reminders, lapses and removals of ended access.
from __future__ import annotations

from bot.network import service, upkeep
from bot.services import Services


async def network_upkeep(services: Services) -> int:
    """Run once per scheduler tick; one cheap query when nothing is due."""
    return await upkeep.run_upkeep(services.uow(), service.deps_of(services))
