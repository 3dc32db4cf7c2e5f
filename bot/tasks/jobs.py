# The scheduled work of tasks: create consent-at-18 tasks, nudge open tasks once a day.
from __future__ import annotations

from bot.services import Services
from bot.tasks import service
from bot.tasks.service import TaskDeps


def task_deps(services: Services) -> TaskDeps:
    return TaskDeps(services.directory, services.clock, services.hours)


async def daily_tasks(services: Services) -> int:
    """Run once per scheduler tick; returns how many records it changed (0 when nothing due).
    Two cheap queries when nothing is due; on two replicas each task and each message happens
    once (unique task keys, per-day outbox keys, skipped locked rows)."""
    deps = task_deps(services)
    created = await service.create_at18_tasks(services.uow(), deps)
    return created + await service.nudge_open_tasks(services.uow(), deps)
