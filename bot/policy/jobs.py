# The scheduled work of rule P1: review reminders to the Head of Comms, and weekly nudges to
# staff who have not acknowledged a policy change.
from __future__ import annotations

from bot.policy import changes, reviews
from bot.services import Services


async def policy_review_reminders(services: Services) -> int:
    """Run at every scheduler tick; returns at once out of working hours."""
    return await reviews.send_reminders(services.uow(), services.policy_deps())


async def policy_ack_nudges(services: Services) -> int:
    """Run at every scheduler tick; returns at once out of working hours and in holidays, and
    after one query once this week's nudges are queued."""
    return await changes.send_nudges(services.uow(), services.policy_deps())
