# Scheduled work on post requests: nudge approvers after a day, expire stale requests.
from __future__ import annotations

from bot.services import Services


async def post_deadlines(services: Services) -> int:
    """Run once per scheduler tick; returns how many records it changed (0 when nothing due)."""
    return 0
