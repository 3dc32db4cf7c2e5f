# Tests for working-time arithmetic (WorkingHours.add) and parsing WORKING_HOURS / WORKING_DAYS.
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import parse_working_days, parse_working_hours
from bot.working_time import WorkingHours

LONDON = ZoneInfo("Europe/London")
MON_FRI = frozenset(range(5))
HOURS = WorkingHours(LONDON, time(8), time(17), MON_FRI)


def local(*parts: int) -> datetime:
    """A London wall-clock time, as the UTC moment the bot stores."""
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


# --- WorkingHours.add ---------------------------------------------------------------------------


def test_inside_a_working_day() -> None:
    # Tuesday 10 March 2026 (GMT).
    assert HOURS.add(local(2026, 3, 10, 10, 0), 2) == local(2026, 3, 10, 12, 0)


def test_ending_exactly_at_the_close_stays_on_the_same_day() -> None:
    assert HOURS.add(local(2026, 3, 10, 15, 0), 2) == local(2026, 3, 10, 17, 0)


def test_spanning_the_end_of_the_day_continues_next_morning() -> None:
    assert HOURS.add(local(2026, 3, 10, 16, 0), 2) == local(2026, 3, 11, 9, 0)


def test_friday_afternoon_continues_on_monday() -> None:
    assert HOURS.add(local(2026, 3, 13, 16, 30), 2) == local(2026, 3, 16, 9, 30)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (local(2026, 3, 10, 6, 0), local(2026, 3, 10, 10, 0)),  # early morning
        (local(2026, 3, 10, 0, 0), local(2026, 3, 10, 10, 0)),  # midnight
        (local(2026, 3, 10, 17, 0), local(2026, 3, 11, 10, 0)),  # exactly at the close
        (local(2026, 3, 10, 22, 15), local(2026, 3, 11, 10, 0)),  # at night
        (local(2026, 3, 13, 23, 59), local(2026, 3, 16, 10, 0)),  # Friday night
        (local(2026, 3, 14, 12, 0), local(2026, 3, 16, 10, 0)),  # Saturday
        (local(2026, 3, 15, 16, 0), local(2026, 3, 16, 10, 0)),  # Sunday
    ],
)
def test_outside_working_time_the_clock_starts_at_the_next_opening(
    start: datetime, expected: datetime
) -> None:
    assert HOURS.add(start, 2) == expected


def test_zero_hours_outside_working_time_is_the_next_opening() -> None:
    assert HOURS.add(local(2026, 3, 14, 12, 0), 0) == local(2026, 3, 16, 8, 0)
    assert HOURS.add(local(2026, 3, 10, 11, 0), 0) == local(2026, 3, 10, 11, 0)


def test_across_the_october_change_from_bst_to_gmt() -> None:
    # Friday 23 October 2026 16:00 BST; the clocks go back on Sunday 25 October.
    start = local(2026, 10, 23, 16, 0)
    assert start == datetime(2026, 10, 23, 15, 0, tzinfo=UTC)

    due = HOURS.add(start, 2)

    assert due == local(2026, 10, 26, 9, 0)
    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # GMT: local time is UTC
    assert due.astimezone(LONDON).strftime("%a %H:%M") == "Mon 09:00"


def test_across_the_march_change_from_gmt_to_bst() -> None:
    # Friday 27 March 2026 16:00 GMT; the clocks go forward on Sunday 29 March.
    due = HOURS.add(local(2026, 3, 27, 16, 0), 2)

    assert due == local(2026, 3, 30, 9, 0)
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0.5, local(2026, 3, 10, 16, 45)),
        (0.25, local(2026, 3, 10, 16, 30)),
        (1.5, local(2026, 3, 11, 8, 45)),
        (9.75, local(2026, 3, 11, 17, 0)),
        (10.1, local(2026, 3, 12, 8, 21)),
    ],
)
def test_fractional_hours(hours: float, expected: datetime) -> None:
    assert HOURS.add(local(2026, 3, 10, 16, 15), hours) == expected


def test_a_whole_working_week() -> None:
    # Five days of nine hours, from Monday's opening to Friday's close.
    assert HOURS.add(local(2026, 3, 9, 8, 0), 45) == local(2026, 3, 13, 17, 0)
    assert HOURS.add(local(2026, 3, 9, 8, 0), 45.5) == local(2026, 3, 16, 8, 30)


@pytest.mark.parametrize("hours", [0, 0.5, 2, 30])
def test_results_are_utc_aware(hours: float) -> None:
    due = HOURS.add(local(2026, 10, 23, 16, 0), hours)

    assert due.tzinfo is UTC
    assert due.utcoffset() == timedelta(0)


def test_a_moment_in_another_zone_is_read_as_that_instant() -> None:
    new_york = datetime(2026, 2, 10, 5, 0, tzinfo=ZoneInfo("America/New_York"))  # 10:00 London

    assert HOURS.add(new_york, 1) == local(2026, 2, 10, 11, 0)


def test_other_hours_days_and_zones() -> None:
    # Sunday to Thursday, 07:30-15:30 in Dubai (UTC+4, no daylight saving).
    dubai = ZoneInfo("Asia/Dubai")
    hours = WorkingHours(dubai, time(7, 30), time(15, 30), frozenset({6, 0, 1, 2, 3}))
    thursday = datetime(2026, 3, 12, 15, 0, tzinfo=dubai)

    assert hours.add(thursday, 1) == datetime(2026, 3, 15, 8, 0, tzinfo=dubai)


def test_no_working_days_is_an_error_not_a_hang() -> None:
    hours = WorkingHours(LONDON, time(8), time(17), frozenset())

    with pytest.raises(ValueError, match="WORKING_DAYS"):
        hours.add(local(2026, 3, 10, 10, 0), 1)


def test_a_day_ending_at_midnight_counts_whole_hours() -> None:
    start, end = parse_working_hours("08:00-24:00")
    hours = WorkingHours(LONDON, start, end, MON_FRI)

    assert hours.add(local(2026, 3, 9, 23, 0), 2) == local(2026, 3, 10, 9, 0)


# --- parse_working_hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("08:00-17:00", (time(8), time(17))),
        ("8:30-16:30", (time(8, 30), time(16, 30))),
        (" 07:45 - 15:15 ", (time(7, 45), time(15, 15))),
        ("00:00-23:59", (time(0), time(23, 59))),
        ("08:00-24:00", (time(8), time.max)),  # until midnight
        ("00:00-24:00", (time(0), time.max)),
    ],
)
def test_parse_working_hours_good(value: str, expected: tuple[time, time]) -> None:
    assert parse_working_hours(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "9-5",
        "08:00",
        "08:00 to 17:00",
        "8am-5pm",
        "08.00-17.00",
        "17:00-08:00",  # backwards
        "08:00-08:00",  # empty
        "24:00-25:00",
        "08:00-24:30",
        "08:00-25:00",
        "24:00-24:00",
        "08:60-17:00",
        "08:00-17:75",
        "08:00-17:00-18:00",
    ],
)
def test_parse_working_hours_bad(value: str) -> None:
    with pytest.raises(ValueError, match="08:00-17:00"):
        parse_working_hours(value)


# --- parse_working_days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("MON-FRI", {0, 1, 2, 3, 4}),
        ("mon - fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("mon, wed, fri", {0, 2, 4}),
        ("sat-sun", {5, 6}),
        ("sun", {6}),
        ("fri-mon", {4, 5, 6, 0}),  # wraps over the weekend
        ("sun-thu", {6, 0, 1, 2, 3}),
        ("mon-tue,thu-fri", {0, 1, 3, 4}),
        ("mon-sun", set(range(7))),
        ("monday-friday", {0, 1, 2, 3, 4}),
        ("wed,wed", {2}),
    ],
)
def test_parse_working_days_good(value: str, expected: set[int]) -> None:
    assert parse_working_days(value) == frozenset(expected)


@pytest.mark.parametrize(
    "value",
    ["", "weekdays", "mo-fr", "mon-tue-wed", "mon,,fri", "mon,", "1-5", "-fri", "mo"],
)
def test_parse_working_days_bad(value: str) -> None:
    with pytest.raises(ValueError, match="mon-fri"):
        parse_working_days(value)


@pytest.mark.parametrize("value", ["mon;fri", "mon/fri", "mon fri", "monkey-fridge", "sunny"])
def test_parse_working_days_refuses_words_that_only_start_like_a_day(value: str) -> None:
    with pytest.raises(ValueError, match="mon-fri"):
        parse_working_days(value)
