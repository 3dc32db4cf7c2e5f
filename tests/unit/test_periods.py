# Period keys on the trust's calendar: local days across summer time, ISO weeks at year end.
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.periods import period_key

LONDON = ZoneInfo("Europe/London")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (utc(2026, 3, 28, 23, 59), "2026-03-28"),  # GMT: local midnight is UTC midnight
        (utc(2026, 3, 29, 0, 30), "2026-03-29"),  # the clocks go forward at 01:00 UTC
        (utc(2026, 3, 29, 22, 59), "2026-03-29"),  # 23:59 BST
        (utc(2026, 3, 29, 23, 0), "2026-03-30"),  # 00:00 BST: a new day an hour early in UTC
        (utc(2026, 10, 24, 22, 59), "2026-10-24"),  # 23:59 BST
        (utc(2026, 10, 24, 23, 0), "2026-10-25"),  # 00:00 BST, the day the clocks go back
        (utc(2026, 10, 25, 1, 30), "2026-10-25"),  # 01:30 GMT, the second 01:30 of the day
        (utc(2026, 10, 25, 23, 59), "2026-10-25"),  # a 25-hour day
        (utc(2026, 10, 26, 0, 0), "2026-10-26"),
    ],
)
def test_a_day_is_the_local_date(moment: datetime, day: str) -> None:
    assert period_key("day", moment, LONDON) == day


@pytest.mark.parametrize(
    ("moment", "week"),
    [
        (utc(2026, 3, 29, 22, 59), "2026-W13"),  # Sunday 23:59 BST
        (utc(2026, 3, 29, 23, 0), "2026-W14"),  # Monday 00:00 BST
        (utc(2026, 10, 25, 23, 59), "2026-W43"),  # Sunday 23:59 GMT, after the change
        (utc(2026, 10, 26, 0, 0), "2026-W44"),
        (utc(2024, 12, 29, 12), "2024-W52"),
        (utc(2024, 12, 31, 12), "2025-W01"),  # ISO weeks: the year of the week's Thursday
        (utc(2026, 12, 31, 12), "2026-W53"),
        (utc(2027, 1, 3, 23, 59), "2026-W53"),
        (utc(2027, 1, 4, 0, 0), "2027-W01"),
    ],
)
def test_a_week_is_the_iso_year_and_week(moment: datetime, week: str) -> None:
    assert period_key("week", moment, LONDON) == week


def test_the_zone_decides_the_day() -> None:
    moment = utc(2026, 11, 23, 23, 30)
    assert period_key("day", moment, LONDON) == "2026-11-23"
    assert period_key("day", moment, ZoneInfo("Asia/Dubai")) == "2026-11-24"


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown period"):
        period_key("month", utc(2026, 1, 1), LONDON)  # type: ignore[arg-type]
