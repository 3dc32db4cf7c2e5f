# Training rules without a database (rule T1): who is due, when a nudge may go (working days and
# hours, never in school holidays), refresher campaigns setting training aside, who hears of it.
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.directory import Directory, Term, load_directory
from bot.training.messages import nudge, standing
from bot.training.model import (
    TRUST,
    Campaign,
    NudgeState,
    State,
    add_months,
    assess,
    campaign_for,
    course_named,
    escalation_to,
    in_scope,
    may_nudge,
    monday_of,
    nudged_this_week,
    week_of,
)
from bot.working_time import WorkingHours
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
DIRECTORY = load_directory(SAMPLE)
TODAY = date(2026, 11, 24)


def campaign(starts_on: date, site_id: str = "willow", deadline: date | None = None) -> Campaign:
    started = datetime.combine(starts_on, time(9), UTC)
    return Campaign(
        "TC-2026-0001", site_id, starts_on, deadline or date(2026, 12, 18), "c", started
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


# --- the due rule ---


def test_never_trained_is_due() -> None:
    status = assess(None, None, today=TODAY, valid_months=12)
    assert status.state is State.NEVER and status.due
    assert standing(status) == "Never: no training on record"


def test_trained_within_the_months_is_current_until_the_same_day_a_year_on() -> None:
    status = assess(date(2025, 11, 25), None, today=TODAY, valid_months=12)
    assert status.state is State.CURRENT and not status.due
    assert status.valid_until == date(2026, 11, 25)
    assert standing(status) == "Trained on 25 Nov 2025, valid until 25 Nov 2026"
    on_the_day = assess(date(2025, 11, 24), None, today=TODAY, valid_months=12)
    assert on_the_day.state is State.EXPIRED and on_the_day.due
    assert standing(on_the_day).startswith("Due now: trained on 24 Nov 2025, expired on")


def test_the_months_come_from_the_directory_setting() -> None:
    assert assess(date(2026, 5, 24), None, today=TODAY, valid_months=6).due
    assert not assess(date(2026, 5, 25), None, today=TODAY, valid_months=6).due


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 3), 24, date(2028, 3, 3)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_a_campaign_sets_earlier_training_aside_until_done_again() -> None:
    started = campaign(date(2026, 11, 20))
    before = assess(date(2026, 9, 1), started, today=TODAY, valid_months=12)
    assert before.state is State.REFRESH and before.due and before.campaign == started
    assert before.last == date(2026, 9, 1), "the old completion is still shown"
    assert "refresher" in standing(before) and "18 Dec 2026" in standing(before)
    same_day = assess(date(2026, 11, 20), started, today=TODAY, valid_months=12)
    assert same_day.state is State.CURRENT, "a completion on the campaign's first day counts"
    never = assess(None, started, today=TODAY, valid_months=12)
    assert never.state is State.REFRESH
    after_deadline = assess(date(2026, 9, 1), started, today=date(2027, 1, 10), valid_months=12)
    assert after_deadline.due, "a refresher not done stays due after its deadline"


def test_the_campaign_that_applies_is_the_latest_covering_the_persons_sites() -> None:
    willow = campaign(date(2026, 11, 2))
    trust = campaign(date(2026, 11, 16), TRUST)
    oakfield = campaign(date(2026, 11, 23), "oakfield")
    future = campaign(date(2026, 12, 1), TRUST)
    campaigns = [willow, trust, oakfield, future]
    assert campaign_for(campaigns, {"willow"}, TODAY) == trust
    assert campaign_for(campaigns, {"willow", "oakfield"}, TODAY) == oakfield
    assert campaign_for([willow], {"riverside"}, TODAY) is None
    assert campaign_for(campaigns, set(), TODAY) == trust, "Trust-wide covers everyone"
    assert campaign_for([future], {"willow"}, TODAY) is None, "not started yet"


# --- who is in scope, and who hears of them ---


def test_everyone_at_a_site_is_in_scope_with_their_sites() -> None:
    scope = in_scope(DIRECTORY)
    assert scope["e.clarke@willow.example"] == {"willow", "oakfield"}
    assert scope["s.thompson@willow.example"] == {"willow"}, "Headteachers train too"
    assert scope["m.jennings@trust.example"] == {"hub"}
    for trust_only in ("h.whitfield@trust.example", "helpdesk@itpartner.example"):
        assert trust_only not in scope


def test_headteachers_hear_of_their_school_and_the_elt_of_the_hub() -> None:
    willow, hub = DIRECTORY.site("willow"), DIRECTORY.hub()
    assert willow is not None and hub is not None
    assert escalation_to(DIRECTORY, willow) == ("s.thompson@willow.example",)
    assert escalation_to(DIRECTORY, hub) == ("r.ashworth@trust.example", "p.sharma@trust.example")


# --- when a nudge may go ---


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (at(date(2026, 11, 24), 10), True),  # a Tuesday in term
        (at(date(2026, 11, 24), 8), True),  # the first minute of the working day
        (at(date(2026, 11, 24), 7, 59), False),
        (at(date(2026, 11, 24), 17), False),  # working hours end at 17:00
        (at(date(2026, 11, 28), 10), False),  # a Saturday
        (at(date(2026, 11, 29), 10), False),  # a Sunday
        (at(date(2026, 10, 27), 10), False),  # half term
        (at(date(2026, 12, 22), 10), False),  # Christmas holidays
        (at(date(2027, 8, 10), 10), False),  # after the last term listed
        (at(date(2026, 9, 2), 8), True),  # the first day of term
        (at(date(2026, 10, 23), 16, 59), True),  # the last minute of a term
    ],
)
def test_nudges_go_in_working_hours_on_school_days(moment: datetime, allowed: bool) -> None:
    assert may_nudge(moment, HOURS, DIRECTORY) is allowed


def test_without_terms_every_working_day_is_a_school_day() -> None:
    no_terms = Directory(trust=DIRECTORY.trust, sites=DIRECTORY.sites, people=DIRECTORY.people)
    assert may_nudge(at(date(2026, 12, 22), 10), HOURS, no_terms)
    assert not may_nudge(at(date(2026, 12, 26), 10), HOURS, no_terms), "still never at weekends"


def test_the_working_day_is_the_trusts_local_one() -> None:
    summer = Directory(
        trust=DIRECTORY.trust, terms=(Term("S", date(2026, 6, 1), date(2026, 7, 20)),)
    )
    assert may_nudge(datetime(2026, 7, 1, 7, 30, tzinfo=UTC), HOURS, summer), "08:30 in London"
    assert not may_nudge(datetime(2026, 7, 1, 16, 30, tzinfo=UTC), HOURS, summer), "17:30 there"


def test_weeks_are_iso_weeks_from_monday() -> None:
    assert week_of(date(2026, 11, 24)) == "2026-W48"
    assert week_of(date(2024, 12, 31)) == "2025-W01"
    assert monday_of(date(2026, 11, 29)) == date(2026, 11, 23)
    assert nudged_this_week(NudgeState("a", 1, date(2026, 11, 23)), date(2026, 11, 29))
    assert not nudged_this_week(NudgeState("a", 1, date(2026, 11, 22)), date(2026, 11, 23))
    assert not nudged_this_week(None, TODAY)


def test_the_nudge_says_why_and_offers_ive_done_it() -> None:
    message = nudge(assess(date(2025, 1, 6), None, today=TODAY, valid_months=12), 2)
    assert "6 Jan 2025" in (message.body or "") and "out of date" in (message.body or "")
    assert [a.label for a in message.actions] == ["I've done it"]
    assert message.notification == "Your social media training is due"
    refresher = nudge(assess(None, campaign(date(2026, 11, 20)), today=TODAY, valid_months=12), 1)
    assert "18 Dec 2026" in (refresher.body or "")


@pytest.mark.parametrize(
    ("text", "course"),
    [
        ("Social media and online safety", "Social media and online safety"),
        ("  social MEDIA  &  online safety ", "Social media and online safety"),
        ("Fire safety", None),
    ],
)
def test_course_names(text: str, course: str | None) -> None:
    assert course_named(text) == course
