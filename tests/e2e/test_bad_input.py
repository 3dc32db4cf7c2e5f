# End to end: bad requests and bad answers get clear refusals and change nothing.
from __future__ import annotations

import time

from tests.e2e.harness import STRANGER, BotServer, People
from tests.fakes.slack_api import FakeSlack

TEACHER = "a.patel@willow.example"
REPORTS = "SELECT count(*) FROM misuse_report"


def test_unsigned_wrongly_signed_and_replayed_requests_get_401(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    before = (server.scalar(REPORTS), len(fake_slack.calls("views.open")))
    uid = people.uid(TEACHER)
    assert people.slack.command(uid, "/report-misuse", unsigned=True).status_code == 401
    assert people.slack.command(uid, "/report-misuse", secret="not-the-secret").status_code == 401
    six_minutes_ago = int(time.time()) - 6 * 60
    replay = people.slack.command(uid, "/report-misuse", timestamp=six_minutes_ago)
    assert replay.status_code == 401
    time.sleep(0.3)
    assert (server.scalar(REPORTS), len(fake_slack.calls("views.open"))) == before


def test_malformed_payloads_are_refused(people: People, server: BotServer) -> None:
    before = server.scalar(REPORTS)
    for body in ("payload=%7Bnot-json", "payload=" + "%5B%5D", ""):
        response = people.slack.post(body, "application/x-www-form-urlencoded")
        assert response.status_code == 400, body
    assert people.slack.post("x" * 300_000, "application/json").status_code == 413
    assert server.scalar(REPORTS) == before


def test_missing_and_too_long_answers_come_back_as_field_errors(
    people: People, server: BotServer
) -> None:
    before = server.scalar(REPORTS)
    view = people.open_form(TEACHER)
    reply = people.submit(
        TEACHER,
        view,
        {
            "category": "staff_misuse",
            "platform": "X",
            "happened_on": "2099-01-01",
            "description": "x" * 3001,
            "links": "not a link",
        },
    )
    assert reply["response_action"] == "errors"
    errors = reply["errors"]
    assert "3000 characters" in errors["description"]
    assert "future" in errors["happened_on"]
    assert "https://" in errors["links"]
    assert "member of staff" in errors["subject_staff"]
    assert server.scalar(REPORTS) == before


def test_a_person_not_in_the_directory_is_told_whom_to_ask(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    before = (server.scalar(REPORTS), len(fake_slack.calls("views.open")))
    people.command(STRANGER[0], "/report-misuse")
    told = fake_slack.wait_for(lambda f: f.ephemerals_to(STRANGER[1]))
    text = told[-1]["text"]
    assert "can't find your account" in text and "helpdesk@itpartner.example" in text
    assert (server.scalar(REPORTS), len(fake_slack.calls("views.open"))) == before
    assert "stranger@elsewhere.example" not in server.log()


def test_report_text_and_pupil_names_never_reach_the_log(people: People, server: BotServer) -> None:
    ref = people.report(
        TEACHER,
        subject_name="Zebedee Quartermain",
        description="Secretive-phrase-4711 posted online.",
    )
    people.card("s.thompson@willow.example", ref)
    log = server.log()
    assert ref in log
    assert "Zebedee" not in log and "Secretive-phrase-4711" not in log
