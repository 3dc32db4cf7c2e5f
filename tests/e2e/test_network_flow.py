# End to end through Slack (rule I1): a teacher asks for a platform for pupils, the Headteacher
# approves from the card, the IT provider presses Done, the teacher hears at each step; an
# unblock request declined by the IT provider with a reason; forged clicks refused.
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from tests.e2e.harness import People
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import buttons

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
OAK_HEAD = "m.obrien@oakfield.example"
IT = "helpdesk@itpartner.example"


def open_via(people: People, fake: FakeSlack, email: str, text: str) -> dict[str, Any]:
    """`/policybot <text>` and the modal it opens."""
    before = len(fake.calls("views.open"))
    reply = people.command(email, "/policybot", text)
    assert not reply.content, "acknowledged at once, the modal follows"
    fake.wait_for(lambda f: len(f.calls("views.open")) > before)
    view = fake.last_view_opened()
    assert view is not None
    return view


def submitted_ref(reply: dict[str, Any], prefix: str) -> str:
    assert reply.get("response_action") == "update", reply
    match = re.search(prefix + r"-\d{4}-\d{4}", str(reply["view"]))
    assert match, reply
    return match.group(0)


def test_request_approved_by_the_head_applied_by_it_and_the_teacher_told(
    people: People, fake_slack: FakeSlack
) -> None:
    view = open_via(people, fake_slack, TEACHER, "network")
    assert view["callback_id"] == "network_platform_form"
    today = date.today()
    answers = {
        "site_id": "willow",
        "class_name": "Year 6 Maple",
        "platform": "Instagram",
        "starts_on": (today + timedelta(days=1)).isoformat(),
        "ends_on": today.isoformat(),
        "reason": "Media studies: how campaigns use images.",
    }
    errors = people.submit(TEACHER, view, answers)
    assert errors["response_action"] == "errors" and "ends_on" in errors["errors"]
    answers["ends_on"] = (today + timedelta(days=14)).isoformat()
    ref = submitted_ref(people.submit(TEACHER, view, answers), "NW")
    people.card(TEACHER, ref, containing="has gone to the Headteacher")

    card = people.card(HEAD, ref, containing="Approve")
    assert "Media studies" in str(card["blocks"]) and "Media studies" not in card["text"]
    # A forged click by another school's Headteacher is refused and changes nothing.
    people.click(OAK_HEAD, card, "Approve")
    assert "Only the Headteacher of Willow" in people.told(OAK_HEAD, ref)
    assert people.server.scalar(f"SELECT status FROM network_request WHERE ref = '{ref}'") == (
        "requested"
    )

    people.click(HEAD, card, "Approve")
    people.card(TEACHER, ref, containing="approved Instagram")
    updated = people.card(HEAD, ref, containing="Approved, waiting for IT")
    assert updated["ts"] == card["ts"], "the card is updated in place"
    assert "Approve" not in str(buttons(updated))
    people.click(HEAD, card, "Approve")
    assert "already approved" in people.told(HEAD, f"{ref} was already")

    it_card = people.card(IT, ref, containing="Apply security measures")
    people.click(HEAD, it_card, "Done")  # the Headteacher is not the IT provider
    assert "Only the Trust's IT provider" in people.told(HEAD, "IT provider can apply")
    people.click(IT, it_card, "Done")
    people.card(TEACHER, ref, containing="applied the security measures")
    people.card(IT, ref, containing="Applied")
    assert people.server.scalar(f"SELECT status FROM network_request WHERE ref = '{ref}'") == (
        "done"
    )


def test_unblock_declined_by_it_with_a_reason(people: People, fake_slack: FakeSlack) -> None:
    view = open_via(people, fake_slack, TEACHER, "unblock")
    answers = {"site_id": "willow", "address": "http://www.nasa.gov", "reason": "Science."}
    errors = people.submit(TEACHER, view, answers)
    assert errors["response_action"] == "errors" and "https://" in errors["errors"]["address"]
    answers["address"] = "https://www.nasa.gov/learning"
    ref = submitted_ref(people.submit(TEACHER, view, answers), "UB")
    people.card(TEACHER, ref, containing="IT provider")

    card = people.card(IT, ref, containing="Unblocked")
    people.click(TEACHER, card, "Decline")  # a forged click by the requester
    assert "Only the Trust's IT provider" in people.told(TEACHER, f"act on {ref}")
    form = people.modal_after_click(IT, card, "Decline")
    reply = people.submit(IT, form, {"reason": "The site serves adverts we can't filter."})
    assert reply["response_action"] == "update" and "declined" in str(reply["view"])
    told = people.card(TEACHER, ref, containing="declined")
    assert "adverts we can't filter" in str(told["blocks"])
    people.card(IT, ref, containing="Declined by")
    people.click(IT, card, "Unblocked")
    assert "already declined" in people.told(IT, f"{ref} was already")


def test_app_home_shows_the_head_what_waits(people: People, fake_slack: FakeSlack) -> None:
    view = open_via(people, fake_slack, "a.patel@willow.example", "network")
    today = date.today().isoformat()
    answers = {
        "site_id": "willow",
        "class_name": "Year 5",
        "platform": "YouTube",
        "starts_on": today,
        "ends_on": today,
        "reason": "A science video.",
    }
    ref = submitted_ref(people.submit("a.patel@willow.example", view, answers), "NW")
    user = people.uid(HEAD)
    people.slack.app_home_opened(user)
    home = fake_slack.wait_for(lambda f: (v := f.home_view(user)) and ref in str(v) and v)
    assert "Network access waiting for you" in str(home)
