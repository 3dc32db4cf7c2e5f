# End to end through Slack (rule I1), with the scheduler inside the server: a waiting network
# request reminds whoever holds the role now, once a working day and never out of hours; a
# request whose activity ended lapses and its buttons refuse; IT is asked, and reminded, to remove
# ended access, which it does once.
# Time is moved by ageing the request's dates in the server's database, as days passing would
# (the harness has no clock to move; the next day's reminder is tested with a ManualClock in
# tests/integration/test_network_upkeep.py).
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy
from sqlmodel import update

from storage.engine import sync_url
from storage.tables import NetworkRequestRow
from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.e2e.test_network_flow import HEAD, IT, TEACHER, open_via, submitted_ref
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import buttons

NEW_HEAD = "a.patel@willow.example"
ALWAYS = {"WORKING_HOURS": "00:00-24:00", "WORKING_DAYS": "mon-sun", "NETWORK_REMIND_DAYS": "2"}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture(scope="module")
def server(fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    """A server whose working day never ends, so its reminders may go at any time."""
    bot = BotServer(tmp_path_factory.mktemp("bot"), fake_slack, extra_env=ALWAYS).start()
    yield bot
    bot.stop()


def age(server: BotServer, ref: str, **values: Any) -> None:
    """Set columns of a request in the server's database (its dates moved into the past)."""
    engine = sqlalchemy.create_engine(sync_url(server.env()["DATABASE_URL"]))
    try:
        with engine.begin() as connection:
            connection.execute(
                update(NetworkRequestRow).where(NetworkRequestRow.ref == ref).values(**values)
            )
    finally:
        engine.dispose()


def ask(people: People, email: str = TEACHER) -> str:
    """A platform request for the next fortnight, through the form; returns its reference."""
    view = open_via(people, people.fake, email, "network")
    today = date.today()
    answers = {
        "site_id": "willow",
        "class_name": "Year 6 Maple",
        "platform": "Instagram",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=14)).isoformat(),
        "reason": "Media studies: how campaigns use images.",
    }
    ref = submitted_ref(people.submit(email, view, answers), "NW")
    people.card(HEAD, ref, containing="Approve")
    return ref


def ended_activity() -> dict[str, date]:
    today = date.today()
    return {"starts_on": today - timedelta(days=5), "ends_on": today - timedelta(days=2)}


def containing(people: People, email: str, ref: str, words: str) -> list[dict[str, Any]]:
    return [m for m in people.cards(email, ref) if words in str(m)]


def status(server: BotServer, ref: str) -> object:
    return server.scalar(f"SELECT status FROM network_request WHERE ref = '{ref}'")


def test_a_waiting_request_reminds_the_headteacher_of_today_once_a_day(
    people: People, server: BotServer
) -> None:
    ref = ask(people)
    directory = server.directory_file.read_text()
    server.directory_file.write_text(
        directory.replace(f"headteacher: [{HEAD}]", f"headteacher: [{NEW_HEAD}]")
    )
    try:
        age(server, ref, created_at=datetime.now(UTC) - timedelta(days=3))
        reminder = people.card(NEW_HEAD, ref, containing="Reminder:")
        assert reminder["text"].startswith(f"Reminder: Network access {ref}")
        assert {"Approve", "Decline"} <= {b["text"] for b in buttons(reminder)}
        time.sleep(1.5)  # three ticks of the scheduler
        assert len(containing(people, NEW_HEAD, ref, "Reminder:")) == 1, "once a day"
        assert not containing(people, HEAD, ref, "Reminder:"), "no longer the Headteacher"

        people.click(NEW_HEAD, reminder, "Approve")  # the reminder's buttons act as the card's
        people.card(TEACHER, ref, containing="approved Instagram")
        updated = people.card(NEW_HEAD, ref, containing="Approved, waiting for IT")
        assert updated["ts"] == reminder["ts"], "the reminder is updated in place"
    finally:
        server.directory_file.write_text(directory)
    assert (
        server.scalar(
            f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}' "
            "AND action = 'network_request.reminded'"
        )
        == 1
    )


def test_a_request_whose_activity_ended_lapses_and_its_buttons_refuse(
    people: People, server: BotServer
) -> None:
    ref = ask(people)
    card = people.card(HEAD, ref, containing="Approve")
    age(server, ref, **ended_activity())
    told = people.card(TEACHER, ref, containing="has lapsed")
    assert "nothing will be set up" in str(told)
    updated = people.card(HEAD, ref, containing="Lapsed, the activity has ended")
    assert updated["ts"] == card["ts"] and not buttons(updated), "no buttons act any more"
    people.click(HEAD, card, "Approve")  # a stale button
    assert "has lapsed" in people.told(HEAD, f"{ref} has lapsed")
    assert status(server, ref) == "lapsed"
    assert not containing(people, HEAD, ref, "Reminder:"), "an ended activity is not chased"


def test_ended_access_is_removed_by_the_it_provider_once(people: People, server: BotServer) -> None:
    ref = ask(people)
    people.click(HEAD, people.card(HEAD, ref, containing="Approve"), "Approve")
    people.click(IT, people.card(IT, ref, containing="Apply security measures"), "Done")
    people.card(TEACHER, ref, containing="applied the security measures")
    age(server, ref, **ended_activity())
    ask_card = people.card(IT, ref, containing="Remove network access")
    assert "please remove pupils' access to Instagram on the school network" in str(ask_card)
    time.sleep(1.5)
    assert len(containing(people, IT, ref, "Remove network access")) == 1, "asked once"
    age(server, ref, end_asked_at=datetime.now(UTC) - timedelta(days=3))  # and not done since
    reminder = people.card(IT, ref, containing="Reminder: Remove network access")
    assert "Access removed" in {b["text"] for b in buttons(reminder)}
    time.sleep(1.5)
    assert len(containing(people, IT, ref, "Reminder:")) == 1, "reminded once a day"

    people.click(HEAD, ask_card, "Access removed")  # the Headteacher is not the IT provider
    assert "Only the Trust's IT provider" in people.told(HEAD, "remove the access")
    assert status(server, ref) == "done"
    people.click(IT, ask_card, "Access removed")
    people.card(TEACHER, ref, containing="removed pupils' access to Instagram")
    updated = people.fake.wait_for(  # the same message, updated in place
        lambda f: next(
            (
                m
                for m in containing(people, IT, ref, "Access removed after the activity")
                if m["ts"] == ask_card["ts"]
            ),
            None,
        )
    )
    assert not buttons(updated), "its button no longer acts"
    people.fake.wait_for(  # nor the reminder's
        lambda f: next(
            (
                m
                for m in containing(people, IT, ref, "Access removed after the activity")
                if m["ts"] == reminder["ts"] and not buttons(m)
            ),
            None,
        )
    )
    people.click(IT, ask_card, "Access removed")  # a double click
    assert "already removed" in people.told(IT, f"{ref} is closed")
    assert status(server, ref) == "ended"
    assert (
        server.scalar(
            f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}' "
            "AND action = 'network_request.access_removed'"
        )
        == 1
    )
    assert "Media studies" not in server.log()


@pytest.fixture
def closed_today(tmp_path: Path) -> Iterator[tuple[BotServer, People]]:
    """A server whose only working day is the day after tomorrow (London time)."""
    other = DAYS[(datetime.now(ZoneInfo("Europe/London")).weekday() + 2) % 7]
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        env = ALWAYS | {"WORKING_DAYS": other}
        bot = BotServer(tmp_path, fake, extra_env=env).start()
        try:
            yield bot, People(bot, fake, seed_users(fake, Path(SAMPLE)))
        finally:
            bot.stop()


def test_no_reminder_goes_out_of_working_hours(closed_today: tuple[BotServer, People]) -> None:
    server, people = closed_today
    ref = ask(people)
    age(server, ref, created_at=datetime.now(UTC) - timedelta(days=15))
    time.sleep(2)  # four ticks of the scheduler
    assert not containing(people, HEAD, ref, "Reminder:")
    assert server.scalar(f"SELECT reminded_at FROM network_request WHERE ref = '{ref}'") is None
