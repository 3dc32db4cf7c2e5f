# Rule P1's pure rules: the review date, which reminder is due on which day, the staff a change
# goes to, who is nudged, and who may see acknowledgements of which sites.
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.directory import Directory, PolicyInfo, load_directory
from bot.policy.model import (
    Change,
    Review,
    ReviewState,
    ack_sites,
    add_years,
    next_review,
    reminder_key,
    reminder_stage,
    site_acks,
    staff_of,
    suggested_next_review,
    to_nudge,
)

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"
DUE = date(2026, 11, 30)  # a Monday


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def review(next_on: date) -> Review:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return Review("RV-2026-0001", "h@t", at, next_on, ("elt@t",), status=ReviewState.RATIFIED)


def test_a_ratified_review_sets_the_date_over_the_directorys(directory: Directory) -> None:
    assert next_review(None, directory).due == date(2026, 11, 30)  # type: ignore[union-attr]
    found = next_review(review(date(2027, 11, 1)), directory)
    assert found is not None and found.due == date(2027, 11, 1)
    assert found.ratified_by_review == "RV-2026-0001"
    empty = Directory(trust=directory.trust, policy=PolicyInfo(next_review=None))
    assert next_review(None, empty) is None


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (DUE - timedelta(days=61), None),
        (DUE - timedelta(days=60), "before-60"),
        (DUE - timedelta(days=31), "before-60"),
        (DUE - timedelta(days=30), "before-30"),
        (DUE - timedelta(days=8), "before-30"),
        (DUE - timedelta(days=7), "before-7"),
        (DUE, "before-7"),  # the day itself is not overdue yet
        (DUE + timedelta(days=1), "overdue-2026-W49"),
        (DUE + timedelta(days=6), "overdue-2026-W49"),
        (DUE + timedelta(days=7), "overdue-2026-W50"),
        (date(2027, 1, 1), "overdue-2026-W53"),
    ],
)
def test_which_reminder_is_due(today: date, stage: str | None) -> None:
    assert reminder_stage(DUE, today) == stage


def test_a_late_start_sends_the_nearest_stage_only() -> None:
    """Started 20 days before the date: the 30-day reminder, never the 60-day one."""
    stages = {reminder_stage(DUE, DUE - timedelta(days=d)) for d in range(20, -1, -1)}
    assert stages == {"before-30", "before-7"}


def test_reminder_keys_name_the_date_so_a_new_date_starts_over() -> None:
    assert reminder_key(DUE, "before-60", "h@t") == "policy:review:2026-11-30:before-60:h@t"
    assert reminder_key(date(2027, 11, 30), "before-60", "h@t") != reminder_key(
        DUE, "before-60", "h@t"
    )


def test_years_ahead_and_the_suggested_date() -> None:
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert add_years(date(2026, 11, 30), 3) == date(2029, 11, 30)
    today = date(2026, 10, 1)
    assert suggested_next_review(DUE, today) == date(2027, 11, 30), "a year after the date"
    assert suggested_next_review(date(2025, 6, 1), today) == date(2027, 10, 1), "long overdue"
    assert suggested_next_review(None, today) == date(2027, 10, 1)


def test_staff_are_everyone_at_a_site_once(directory: Directory) -> None:
    staff = staff_of(directory)
    assert len(staff) == len(set(staff))
    assert staff.count("e.clarke@willow.example") == 1, "at two sites, told once"
    assert "s.thompson@willow.example" in staff and "c.donnelly@trust.example" in staff
    for outside in ("h.whitfield@trust.example", "r.ashworth@trust.example"):
        assert outside not in staff, "Trust roles held by no site member are not site staff"
    assert "helpdesk@itpartner.example" not in staff


def test_who_is_nudged_and_who_is_counted(directory: Directory) -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    staff = ("d.hughes@willow.example", "a.patel@willow.example", "gone@willow.example")
    change = Change("PC-2026-0001", "s", "https://x.example", "h@t", at, staff)
    acked = {"a.patel@willow.example"}
    assert to_nudge(directory, change, acked) == ["d.hughes@willow.example"], "not who left"
    [willow, oakfield] = site_acks(directory, change, acked, ["willow", "oakfield"])
    assert willow.acked == ("a.patel@willow.example",)
    assert willow.waiting == ("d.hughes@willow.example",) and willow.total == 2
    assert oakfield.total == 0, "only those the change was sent to are counted"


@pytest.mark.parametrize(
    ("email", "sites"),
    [
        ("h.whitfield@trust.example", ["willow", "oakfield", "riverside", "hub"]),
        ("p.sharma@trust.example", ["willow", "oakfield", "riverside", "hub"]),
        ("s.thompson@willow.example", ["willow"]),
        ("m.obrien@oakfield.example", ["oakfield"]),
        ("j.whitaker@willow.example", None),
        ("d.hughes@willow.example", None),
        ("m.ellison@trust.example", None),
        ("stranger@elsewhere.example", None),
    ],
)
def test_who_sees_which_sites_acknowledgements(
    directory: Directory, email: str, sites: list[str] | None
) -> None:
    assert ack_sites(directory, email) == sites
