# The upkeep rules of network requests (I1) on a fixed clock: who is reminded and when, when a
# request lapses, when the IT provider is asked to remove access, and the Access removed rule.
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.directory import Directory, load_directory
from bot.errors import AlreadyDone, NotAllowed
from bot.network import messages
from bot.network.due import (
    Step,
    ended,
    reminder_due,
    step_for,
    waits_on,
    working_days_between,
)
from bot.network.model import (
    STATUS_LABELS,
    Kind,
    NetworkRequest,
    Status,
    approve,
    check_decide,
    lapse,
    remove_access,
)
from bot.working_time import WorkingHours
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
HOURS = WorkingHours(LONDON, time(8), time(17), frozenset(range(5)))
DIRECTORY = load_directory(SAMPLE)
TEACHER, HEAD = "d.hughes@willow.example", "s.thompson@willow.example"
NEW_HEAD, IT = "a.patel@willow.example", "helpdesk@itpartner.example"
MONDAY = datetime(2026, 11, 23, 10, tzinfo=UTC)  # 10:00 in London (GMT)


def at(days: int, hour: int = 10) -> datetime:
    """`days` after Monday 23 November 2026, at `hour` London time."""
    return MONDAY + timedelta(days=days, hours=hour - 10)


def platform(
    status: Status = Status.REQUESTED, ends_on: date = date(2026, 12, 12)
) -> NetworkRequest:
    return NetworkRequest(
        ref="NW-2026-0001",
        kind=Kind.PLATFORM,
        requester=TEACHER,
        site_id="willow",
        reason="Media studies.",
        status=status,
        created_at=MONDAY,
        class_name="Year 6",
        platform="Instagram",
        starts_on=date(2026, 11, 23),
        ends_on=ends_on,
    )


def unblock() -> NetworkRequest:
    return NetworkRequest(
        ref="UB-2026-0001",
        kind=Kind.UNBLOCK,
        requester=TEACHER,
        site_id="willow",
        reason="Science.",
        status=Status.REQUESTED,
        created_at=MONDAY,
        address="https://www.nasa.gov",
    )


def with_new_head(tmp_path: Path) -> Directory:
    """The sample directory after Willow's Headteacher changed."""
    text = SAMPLE.read_text().replace(f"headteacher: [{HEAD}]", f"headteacher: [{NEW_HEAD}]")
    path = tmp_path / "directory.yml"
    path.write_text(text)
    return load_directory(path)


def test_working_days_skip_the_weekend_and_the_first_day() -> None:
    assert working_days_between(HOURS, MONDAY, at(0, 16)) == 0
    assert working_days_between(HOURS, MONDAY, at(1)) == 1
    assert working_days_between(HOURS, MONDAY, at(2, 8)) == 2
    friday = at(4)
    assert working_days_between(HOURS, friday, at(5)) == 0  # Saturday
    assert working_days_between(HOURS, friday, at(7)) == 1  # Monday


def test_a_reminder_is_due_after_the_days_in_working_hours_once_a_day() -> None:
    request = platform()
    assert not reminder_due(request, HOURS, at(1), 2)
    assert reminder_due(request, HOURS, at(2), 2)
    assert not reminder_due(request, HOURS, at(2, 18), 2), "not out of hours"
    assert not reminder_due(request, HOURS, at(5), 2), "not on a Saturday"
    request.reminded_at = at(2)
    assert not reminder_due(request, HOURS, at(2, 16), 2), "once a working day"
    assert reminder_due(request, HOURS, at(3, 8), 2)
    assert not reminder_due(platform(), HOURS, at(2), 3), "NETWORK_REMIND_DAYS=3"


def test_the_wait_for_it_counts_from_the_approval(tmp_path: Path) -> None:
    request = platform()
    request.reminded_at = at(2)
    approve(DIRECTORY, request, HEAD, at(3))
    assert not reminder_due(request, HOURS, at(4), 2)
    assert reminder_due(request, HOURS, at(7), 2), "Thursday to Monday: two working days"
    assert waits_on(DIRECTORY, request) == (IT,)


def test_reminders_go_to_who_holds_the_role_now(tmp_path: Path) -> None:
    request = platform()
    assert waits_on(DIRECTORY, request) == (HEAD,)
    due = step_for(with_new_head(tmp_path), request, HOURS, at(2), 2)
    assert due is not None and due.step is Step.REMIND and due.people == (NEW_HEAD,)
    assert waits_on(DIRECTORY, unblock()) == (IT,)
    assert waits_on(DIRECTORY, platform(Status.DONE)) == ()
    assert waits_on(DIRECTORY, platform(Status.DECLINED)) == ()


def test_a_waiting_request_whose_activity_ended_lapses_rather_than_being_chased() -> None:
    today = at(2).astimezone(LONDON).date()
    assert not ended(platform(ends_on=today), today), "the last day itself is not past"
    assert not ended(unblock(), today)
    for status, people in ((Status.REQUESTED, (HEAD,)), (Status.APPROVED, (IT,))):
        request = platform(status, ends_on=today - timedelta(days=1))
        due = step_for(DIRECTORY, request, HOURS, at(2), 2)
        assert due is not None and due.step is Step.LAPSE and due.people == people
        lapse(request, at(2))
        assert request.status is Status.LAPSED
        assert STATUS_LABELS[request.status] == "Lapsed, the activity has ended"
        with pytest.raises(AlreadyDone, match="lapsed"):
            check_decide(DIRECTORY, request, HEAD)
        with pytest.raises(AlreadyDone):
            lapse(request, at(2))


def test_it_is_asked_once_to_remove_access_then_reminded_each_working_day() -> None:
    request = platform(Status.DONE, ends_on=date(2026, 11, 24))
    assert step_for(DIRECTORY, request, HOURS, at(1), 2) is None, "not before it ends"
    due = step_for(DIRECTORY, request, HOURS, at(2), 2)
    assert due is not None and due.step is Step.ASK_REMOVAL and due.people == (IT,)
    request.end_asked_at = at(2)  # Wednesday
    assert step_for(DIRECTORY, request, HOURS, at(3), 2) is None, "one working day"
    due = step_for(DIRECTORY, request, HOURS, at(4), 2)  # Friday: two working days
    assert due is not None and due.step is Step.REMIND and due.people == (IT,)
    request.reminded_at = at(4)
    assert step_for(DIRECTORY, request, HOURS, at(4, 16), 2) is None, "once a day"
    assert step_for(DIRECTORY, request, HOURS, at(5), 2) is None, "not at the weekend"
    assert step_for(DIRECTORY, request, HOURS, at(7), 2) is not None, "and again on Monday"
    remove_access(DIRECTORY, request, IT, at(7))
    assert step_for(DIRECTORY, request, HOURS, at(8), 2) is None, "removed: nothing more"


def test_only_the_it_provider_removes_access_and_only_once() -> None:
    request = platform(Status.DONE, ends_on=date(2026, 11, 24))
    with pytest.raises(NotAllowed, match="IT provider"):
        remove_access(DIRECTORY, request, HEAD, at(2))
    assert request.status is Status.DONE and request.removed_by is None
    remove_access(DIRECTORY, request, IT, at(2))
    assert (request.status, request.removed_by, request.removed_at) == (Status.ENDED, IT, at(2))
    revision = request.revision
    with pytest.raises(AlreadyDone, match="already removed"):
        remove_access(DIRECTORY, request, IT, at(3))
    assert request.removed_at == at(2) and request.revision == revision
    assert "removed_by" in request.state() and "reason" not in request.state()


def test_a_reminder_repeats_the_card_with_its_buttons_and_ended_cards_lose_them() -> None:
    request = platform()
    card = messages.head_card(request, DIRECTORY, LONDON)
    again = messages.reminder(card, 3)
    assert again.actions == card.actions and again.facts == card.facts
    assert again.notification == f"Reminder: {card.notification}"
    assert again.body and again.body.startswith("This has waited 3 working day(s) for you.")
    lapse(request, at(2))
    assert messages.head_card(request, DIRECTORY, LONDON).actions == ()
    assert "Media studies" not in messages.lapsed(request, LONDON).notification

    applied = platform(Status.DONE, ends_on=date(2026, 11, 24))
    end = messages.end_card(applied, DIRECTORY, LONDON)
    assert [a.label for a in end.actions] == ["Access removed"]
    assert end.body and end.body.startswith(
        "The activity for NW-2026-0001 ended on 24 Nov 2026: please remove pupils' access to "
        "Instagram on the school network"
    )
    remove_access(DIRECTORY, applied, IT, at(2))
    ended_card = messages.end_card(applied, DIRECTORY, LONDON)
    assert ended_card.actions == ()
    assert ("Status", "Access removed after the activity") in ended_card.facts
