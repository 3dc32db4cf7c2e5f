# End to end: what recipients do with a report (notes, outcome, hand-over) and where it goes.
from __future__ import annotations

import time

from tests.e2e.harness import People
from tests.fakes.slack_api import FakeSlack

TEACHER = "o.davies@oakfield.example"
HEAD = "m.obrien@oakfield.example"
DSLS = ("r.lawson@oakfield.example", "h.fraser@oakfield.example")


def test_note_then_close_with_outcome_tells_the_reporter(
    people: People, fake_slack: FakeSlack
) -> None:
    ref = people.report(TEACHER)
    card = people.card(HEAD, ref, containing="Acknowledge")
    note_view = people.modal_after_click(HEAD, card, "Add a note")
    assert people.submit(HEAD, note_view, {"text": "Spoke to the parents."}) == {}
    people.card(HEAD, ref, containing="Spoke to the parents.")

    close_view = people.modal_after_click(HEAD, card, "Close with an outcome")
    reply = people.submit(
        HEAD, close_view, {"outcome": "action_taken", "summary": "Posts removed."}
    )
    assert reply == {}
    closed = people.card(HEAD, ref, containing="Posts removed.")
    assert closed["ts"] == card["ts"]
    assert "Acknowledge" not in str(closed["blocks"]) and "actions" not in str(closed["blocks"])
    told = people.card(TEACHER, ref, containing="was closed")
    assert "Posts removed" not in str(told)


def test_hand_over_to_a_colleague_with_the_same_role(people: People, fake_slack: FakeSlack) -> None:
    ref = people.report(TEACHER)
    card = people.card(HEAD, ref, containing="Acknowledge")
    view = people.modal_after_click(HEAD, card, "Hand over")
    options = view["blocks"][-1]["element"]["options"]
    names = [o["text"]["text"] for o in options]
    assert "Sarah Thompson" in names and "Michael O'Brien" not in names
    people.submit(HEAD, view, {"to": "s.thompson@willow.example"})
    cover = people.card("s.thompson@willow.example", ref, containing="Acknowledge")
    gone = people.card(HEAD, ref, containing="handed this report over")
    assert "Unkind posts" not in str(gone["blocks"])
    people.click("s.thompson@willow.example", cover, "Acknowledge")
    people.card(TEACHER, ref, containing="was acknowledged")
    people.click(HEAD, card, "Close with an outcome")
    told = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(HEAD)) if ref in e["text"]]
    )
    assert "Only the people" in told[-1]["text"]


def test_safeguarding_concern_also_reaches_the_dsls_restricted(people: People) -> None:
    ref = people.report(TEACHER, flags=["safeguarding"])
    head_card = people.card(HEAD, ref, containing="Acknowledge")
    assert "Safeguarding concern" in str(head_card["blocks"])
    for dsl in DSLS:
        people.card(dsl, ref, containing="Child Protection Policy")
    receipt = people.card(TEACHER, ref, containing="received")
    assert "Safeguarding Lead" in str(receipt)


def test_content_on_a_school_computer_goes_to_it_with_only_the_link(people: People) -> None:
    ref = people.report(
        TEACHER,
        category="inappropriate_content",
        flags=["school_device"],
        links="https://bad.example/page",
        description="A pupil found violent videos; names withheld.",
    )
    notice = people.card("helpdesk@itpartner.example", ref)
    assert "https://bad.example/page" in str(notice["blocks"])
    assert "violent videos" not in str(notice) and "Acknowledge" not in str(notice)
    people.card(HEAD, ref, containing="violent videos")


def test_abusive_comment_also_reaches_the_head_of_comms(people: People) -> None:
    ref = people.report(TEACHER, category="abusive_comment", platform="Facebook")
    people.card("h.whitfield@trust.example", ref, containing="Acknowledge")
    people.card(HEAD, ref)


def test_support_hub_staff_report_to_elt_never_a_headteacher(people: People) -> None:
    ref = people.report("m.jennings@trust.example", category="allegation_staff", site_id="hub")
    for elt in ("r.ashworth@trust.example", "p.sharma@trust.example"):
        card = people.card(elt, ref, containing="Allegations of Abuse Against Staff Policy")
        assert "Support Hub" in card["text"]
    time.sleep(0.3)
    assert not any(people.cards(h, ref) for h in ("s.thompson@willow.example", HEAD))


def test_app_home_shows_waiting_and_own_reports(people: People, fake_slack: FakeSlack) -> None:
    ref = people.report(TEACHER)
    people.card(HEAD, ref)
    assert people.slack.app_home_opened(people.uid(HEAD)).status_code == 200
    home = fake_slack.wait_for(
        lambda f: (v := f.home_view(people.uid(HEAD))) and ref in str(v) and v
    )
    assert "Reports waiting for you" in str(home) and "Acknowledge" in str(home)
    people.slack.app_home_opened(people.uid(TEACHER))
    mine = fake_slack.wait_for(
        lambda f: (v := f.home_view(people.uid(TEACHER))) and ref in str(v) and v
    )
    assert "Reports you made" in str(mine) and "Unkind posts" not in str(mine)


def test_help_is_tailored_to_roles(people: People) -> None:
    head_help = people.command(HEAD, "/policybot").json()
    assert "As Headteacher" in str(head_help) and head_help["response_type"] == "ephemeral"
    teacher_help = people.command(TEACHER, "/policybot").json()
    assert "/report-misuse" in str(teacher_help) and "As Headteacher" not in str(teacher_help)


def test_the_abuse_log_is_no_longer_a_later_release(people: People) -> None:
    response = people.command(TEACHER, "/abuse-log")
    assert "later release" not in response.text
