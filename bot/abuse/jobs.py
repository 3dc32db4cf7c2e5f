# The scheduled work of the abuse log: the nudge to escalate what a platform has not dealt with.
from __future__ import annotations

from bot.abuse import service
from bot.services import Services


async def abuse_escalations(services: Services) -> int:
    """Run once per scheduler tick; one cheap query when nothing is due."""
    return await service.send_escalation_nudges(services.uow(), services.abuse_deps())
