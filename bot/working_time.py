# Working-time arithmetic: deadlines such as "two working hours" in the Trust's time zone.
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WorkingHours:
    """Working days (Monday is 0) and the hours of each, in a time zone."""

    zone: ZoneInfo
    start: time
    end: time
    days: frozenset[int]

    def add(self, moment: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `moment` (UTC in, UTC out)."""
        remaining = timedelta(hours=hours)
        local = moment.astimezone(self.zone)
        for _ in range(366):
            day_start = datetime.combine(local.date(), self.start, self.zone)
            day_end = self._end_of(local)
            if local.weekday() in self.days and local < day_end:
                begin = max(local, day_start)
                if begin + remaining <= day_end:
                    return (begin + remaining).astimezone(UTC)
                remaining -= day_end - begin
            local = datetime.combine(local.date() + timedelta(days=1), time(0), self.zone)
        raise ValueError("no working time within a year: check WORKING_DAYS")

    def is_working(self, moment: datetime) -> bool:
        """Whether `moment` falls on a working day, within its working hours."""
        local = moment.astimezone(self.zone)
        start = datetime.combine(local.date(), self.start, self.zone)
        return local.weekday() in self.days and start <= local < self._end_of(local)

    def _end_of(self, local: datetime) -> datetime:
        """Where the working day of `local` ends; "24:00" (time.max) is the next midnight."""
        if self.end == time.max:
            return datetime.combine(local.date() + timedelta(days=1), time(0), self.zone)
        return datetime.combine(local.date(), self.end, self.zone)
