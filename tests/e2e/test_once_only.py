# End to end: double submissions and double clicks change nothing the second time; only the
# people a report was sent to may act on it.
from __future__ import annotations

import time

from tests.e2e.harness import BotServer, People
from tests.fakes.slack_api import FakeSlack

TEACHER = "l.barnes@willow.example"
HEAD = "s.thompson@willow.example"
DSL = "j.whitaker@willow.example"


def test_double_submitted_form_makes_one_report(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    view = people.open_form(TEACHER)
    answers = {
        "category": "parent_misuse",
        "platform": "Facebook",
        "happened_on": "2026-11-19",
        "description": "A parent posted a complaint naming a teacher.",
    }
    first = people.submit(TEACHER, view, answers)
    second = people.submit(TEACHER, view, answers)
    assert first["view"]["blocks"] == second["view"]["blocks"]
    ref = first["view"]["blocks"][0]["text"]["text"].split("report ")[1].split(" ")[0]
    people.card(HEAD, ref)
    time.sleep(0.5)
    assert len(people.cards(HEAD, ref)) == 1
    assert server.scalar(f"SELECT count(*) FROM misuse_report WHERE ref = '{ref}'") == 1


def test_double_click_acknowledges_once(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    ref = people.report(TEACHER)
    card = people.card(HEAD, ref, containing="Acknowledge")
    people.click(HEAD, card, "Acknowledge")
    people.click(HEAD, card, "Acknowledge")
    people.card(TEACHER, ref, containing="was acknowledged")
    told = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(HEAD)) if ref in e["text"]]
    )
    assert "already acknowledged" in told[-1]["text"]
    time.sleep(0.5)
    assert len([m for m in people.cards(TEACHER, ref) if "acknowledged" in m["text"]]) == 1
    events = server.scalar(
        f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}' "
        "AND action = 'report.acknowledged'"
    )
    assert events == 1


def test_someone_else_pressing_the_button_is_refused(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    ref = people.report(TEACHER)
    card = people.card(HEAD, ref, containing="Acknowledge")
    intruder = "d.hughes@willow.example"
    people.click(intruder, card, "Acknowledge")
    told = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(intruder)) if ref in e["text"]]
    )
    assert "Only the people" in told[-1]["text"]
    assert server.scalar(f"SELECT status FROM misuse_report WHERE ref = '{ref}'") == "open"


def test_report_about_a_member_of_staff_never_reaches_them(
    people: People, fake_slack: FakeSlack
) -> None:
    subject = "e.clarke@willow.example"
    ref = people.report(TEACHER, category="staff_misuse", subject_staff=(subject, "Emma Clarke"))
    people.card(HEAD, ref)
    people.card(TEACHER, ref, containing="received")
    time.sleep(0.5)
    assert people.cards(subject, ref) == []
    forged = people.card(HEAD, ref)
    people.click(subject, forged, "Acknowledge")
    told = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(subject)) if ref in e["text"]]
    )
    assert "can't find a report" in told[-1]["text"]


def test_report_about_the_headteacher_goes_to_elt(people: People) -> None:
    ref = people.report(TEACHER, category="staff_misuse", subject_staff=(HEAD, "Sarah Thompson"))
    for elt in ("r.ashworth@trust.example", "p.sharma@trust.example"):
        people.card(elt, ref, containing="Acknowledge")
    time.sleep(0.5)
    assert people.cards(HEAD, ref) == []


def test_a_role_taken_away_is_checked_at_the_click(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    ref = people.report(TEACHER)
    card = people.card(HEAD, ref, containing="Acknowledge")
    original = server.directory_file.read_text()
    demoted = original.replace(
        "headteacher: [s.thompson@willow.example]", "headteacher: [j.whitaker@willow.example]"
    )
    assert demoted != original
    try:
        server.directory_file.write_text(demoted)
        people.click(HEAD, card, "Acknowledge")
        told = fake_slack.wait_for(
            lambda f: [e for e in f.ephemerals_to(people.uid(HEAD)) if ref in e["text"]]
        )
        assert "no longer hold the role" in told[-1]["text"]
        assert server.scalar(f"SELECT status FROM misuse_report WHERE ref = '{ref}'") == "open"
    finally:
        server.directory_file.write_text(original)
