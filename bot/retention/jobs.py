# The nightly retention job (run once per day by the scheduler, from 02:00 local time).
from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.retention.service import RetentionPolicy, apply_retention
from bot.services import Services


def retention_job(policy: RetentionPolicy) -> Callable[[Services, str], Awaitable[int]]:
    """The job removing what passed its retention under `policy`; `day` keys its audit event."""

    async def run(services: Services, day: str) -> int:
        counts = await apply_retention(
            services.uow(), policy, now=services.clock.now(), today=services.today(), key=day
        )
        return sum(counts.values())

    return run
