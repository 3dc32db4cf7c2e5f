# The scheduled work of tasks: create consent-at-18 tasks, nudge open tasks once a day.
from __future__ import annotations

from bot.services import Services


async def daily_tasks(services: Services) -> int:
    """Run once per scheduler tick; returns how many records it changed (0 when nothing due)."""
    return 0
