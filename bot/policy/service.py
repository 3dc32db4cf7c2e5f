# What every policy flow (rule P1) shares: its dependencies and who holds which part in it.
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.clock import Clock
from bot.directory import Directory
from bot.errors import NotAllowed
from bot.working_time import WorkingHours

COMMS_ONLY = "Only the Head of Communications can {what}."


@dataclass(frozen=True)
class PolicyDeps:
    """What the policy flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours

    def today(self) -> date:
        return self.clock.now().astimezone(self.hours.zone).date()


def check_comms(deps: PolicyDeps, email: str, what: str) -> None:
    """Refuse, in plain words, anyone but the Head of Comms (as the directory says now)."""
    if not deps.directory.holds(email, "head_of_comms"):
        raise NotAllowed(COMMS_ONLY.format(what=what))
