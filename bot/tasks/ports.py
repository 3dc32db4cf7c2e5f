# What the tasks flows need from storage: the repository of tasks.
from __future__ import annotations

from typing import Protocol


class TaskStore(Protocol):
    """Implemented by storage; filled in with the tasks flows."""
