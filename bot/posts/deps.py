# What the post flows need besides the unit of work.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.directory import Directory
from bot.posts.screening import DEFAULT_POLITICAL_TERMS


@dataclass(frozen=True)
class PostDeps:
    """What the post flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    zone: ZoneInfo
    political_terms: tuple[str, ...] = DEFAULT_POLITICAL_TERMS

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()
