# What the tasks flows need from storage: the repository of tasks, and which published posts
# show a pupil.
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.tasks.model import Exposure, Task, TaskKind


class TaskStore(Protocol):
    async def add(self, task: Task) -> bool:
        """Insert a task once per key; sets `task.id` and returns True when it is new, and
        returns False (changing nothing) when a task with its key exists."""
        ...

    async def get(self, task_id: int, *, for_update: bool = False) -> Task | None: ...

    async def save(self, task: Task) -> None: ...

    async def open_tasks(
        self, *, kinds: Sequence[TaskKind] = (), site_ids: Sequence[str] | None = None
    ) -> list[Task]:
        """Open tasks (of these kinds; at these sites when given), oldest first."""
        ...

    async def due_for_nudge(self, today: date) -> list[Task]:
        """Open tasks not nudged today; on PostgreSQL, locked rows are skipped."""
        ...

    async def published_showing(self, pupil_ids: Sequence[int]) -> list[Exposure]:
        """Published posts whose current version shows any of these pupils unblurred."""
        ...
