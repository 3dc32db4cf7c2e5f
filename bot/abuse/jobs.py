# The scheduled work of the abuse log: the nudge to escalate what a platform has not dealt with,
# and fetching screenshots still waiting (each is also fetched as soon as it is given).
from __future__ import annotations

from bot.abuse import service
from bot.services import Services


async def abuse_escalations(services: Services) -> int:
    """Run once per scheduler tick; one cheap query when nothing is due."""
    return await service.send_escalation_nudges(services.uow(), services.abuse_deps())


async def abuse_screenshots(services: Services) -> int:
    """Run once per scheduler tick: fetch and fingerprint the screenshots whose turn it is."""
    return await service.keep_screenshots(services.uow, services.abuse_deps(), services.fetchers)
