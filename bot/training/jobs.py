# The scheduled work of training: the weekly nudges and the Headteachers' digests.
from __future__ import annotations

from bot.services import Services
from bot.training.nudges import send_nudges


async def training_nudges(services: Services) -> int:
    """Run once per scheduler tick; returns at once out of working hours and in holidays, and
    after a few cheap queries when everyone due was nudged this week."""
    return await send_nudges(services.uow(), services.training_deps())
