# The weekly oversight digest job (run once per week by the scheduler, after working hours start).
from __future__ import annotations

from bot.oversight.service import send_digests
from bot.services import Services


async def weekly_digests(services: Services, week: str) -> int:
    return await send_digests(services.uow(), services.training_deps(), week=week)
