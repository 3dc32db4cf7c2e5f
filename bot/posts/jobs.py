# Scheduled work on post requests: nudge approvers after a day, expire stale requests.
from __future__ import annotations

from bot.posts import service as posts
from bot.services import Services


async def post_deadlines(services: Services) -> int:
    """Run once per scheduler tick; returns how many requests it changed (0 when nothing due)."""
    return await posts.process_deadlines(services.uow(), services.post_deps())
