# End to end: asking to post on an official account, the two sign-offs from their cards, the
# register with its Revoke buttons, and a new account proposed, approved and listed.
from __future__ import annotations

import re
from typing import Any

from tests.e2e.harness import People
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import buttons

TEACHER = "d.hughes@willow.example"
ASSISTANT = "a.patel@willow.example"
COMMS = "h.whitfield@trust.example"
HEAD = "s.thompson@willow.example"


def open_via(people: People, fake: FakeSlack, email: str, text: str) -> dict[str, Any]:
    """`/policybot <text>` and the modal it opens."""
    before = len(fake.calls("views.open"))
    reply = people.command(email, "/policybot", text)
    assert not reply.content, "acknowledged at once, the modal follows"
    fake.wait_for(lambda f: len(f.calls("views.open")) > before)
    view = fake.last_view_opened()
    assert view is not None
    return view


def ask_access(people: People, fake: FakeSlack, email: str, account_id: str) -> str:
    view = open_via(people, fake, email, "access")
    reply = people.submit(email, view, {"account_id": account_id, "reason": "Sports news."})
    assert reply.get("response_action") == "update", reply
    match = re.search(r"PA-\d{4}-\d{4}", str(reply["view"]))
    assert match, reply
    return match.group(0)


def register(people: People, fake: FakeSlack, email: str, text: str = "") -> dict[str, Any]:
    """`/policybot accounts` as this person: the private reply sent to the response URL."""
    before = len(fake.responses())
    people.command(email, "/policybot", f"accounts {text}".strip())
    fake.wait_for(lambda f: len(f.responses()) > before)
    return fake.responses()[-1]


def test_teacher_gets_access_after_both_sign_offs_and_is_told(
    people: People, fake_slack: FakeSlack
) -> None:
    view = open_via(people, fake_slack, TEACHER, "access")
    options = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert options[:2] == ["willow-x", "willow-facebook"]
    ref = ask_access(people, fake_slack, TEACHER, "willow-x")

    comms_card = people.card(COMMS, ref, containing="Approve")
    head_card = people.card(HEAD, ref, containing="Approve")
    assert "Sports news." in str(comms_card["blocks"])
    assert "Sports news." not in comms_card["text"]
    people.card(TEACHER, ref, containing="has gone to")

    people.click(ASSISTANT, comms_card, "Approve")
    refused = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(ASSISTANT)) if ref in e["text"]]
    )
    assert "doesn't list you" in refused[-1]["text"]

    people.click(COMMS, comms_card, "Approve")
    updated = people.card(COMMS, ref, containing="Approved by Hannah Whitfield")
    assert updated["ts"] == comms_card["ts"], "the card is updated in place"
    people.card(HEAD, ref, containing="Approved by Hannah Whitfield")
    people.card(TEACHER, ref, containing="It now waits for the Headteacher")

    people.click(HEAD, head_card, "Approve")
    told = people.card(TEACHER, ref, containing="You can now post on @WillowPrimary")
    assert "Sports news." not in str(told)
    done = people.card(COMMS, ref, containing="Approved by Sarah Thompson")
    assert "Approve" not in str(buttons(done))

    people.click(COMMS, comms_card, "Approve")
    again = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(COMMS)) if ref in e["text"]]
    )
    assert "already approved by Hannah Whitfield and Sarah Thompson" in again[-1]["text"]

    listed = register(people, fake_slack, COMMS, "willow")
    assert f"Daniel Hughes ({ref})" in str(listed["blocks"])
    assert listed["response_type"] == "ephemeral"
    assert "Revoke Daniel Hughes" in str(listed["blocks"])


def test_duplicate_request_is_refused_on_the_form(people: People, fake_slack: FakeSlack) -> None:
    ask_access(people, fake_slack, "l.barnes@willow.example", "willow-facebook")
    view = open_via(people, fake_slack, "l.barnes@willow.example", "access")
    reply = people.submit(
        "l.barnes@willow.example", view, {"account_id": "willow-facebook", "reason": "Again."}
    )
    assert reply["response_action"] == "errors"
    assert "already asked" in reply["errors"]["account_id"]


def test_revoke_from_the_register_tells_the_poster(people: People, fake_slack: FakeSlack) -> None:
    poster = "e.clarke@willow.example"
    ref = ask_access(people, fake_slack, poster, "willow-x")
    for signer in (COMMS, HEAD):
        people.click(signer, people.card(signer, ref, containing="Approve"), "Approve")
    people.card(poster, ref, containing="You can now post")

    teacher_view = register(people, fake_slack, TEACHER)
    assert "Headteachers" in teacher_view["text"] and "blocks" not in teacher_view
    listed = register(people, fake_slack, HEAD)
    assert "@OakfieldPrimary" not in str(listed["blocks"])
    revoke = next(b for b in buttons(listed["blocks"]) if b["value"] == ref)
    message = {"ts": "1700000000.000001", "channel": "D" + people.uid(HEAD), **listed}
    view = people.modal_after_click(HEAD, message, revoke["text"])
    reply = people.submit(HEAD, view, {"reason": "Moved to another role."})
    assert reply["response_action"] == "update" and "revoked" in str(reply["view"])
    told = people.card(poster, ref, containing="has ended")
    assert "Moved to another role." in str(told["blocks"])
    assert f"({ref})" not in str(register(people, fake_slack, COMMS, "willow")["blocks"])


def test_refusal_asks_for_a_reason_and_tells_the_requester(
    people: People, fake_slack: FakeSlack
) -> None:
    asker = "o.davies@oakfield.example"
    ref = ask_access(people, fake_slack, asker, "oakfield-x")
    card = people.card("m.obrien@oakfield.example", ref, containing="Refuse")
    view = people.modal_after_click("m.obrien@oakfield.example", card, "Refuse")
    people.submit("m.obrien@oakfield.example", view, {"reason": "Please ask next term."})
    told = people.card(asker, ref, containing="was refused")
    assert "Please ask next term." in str(told["blocks"])
    people.card(COMMS, ref, containing="Refused by Michael O'Brien")


def test_new_account_approved_joins_the_register(people: People, fake_slack: FakeSlack) -> None:
    view = open_via(people, fake_slack, TEACHER, "new-account")
    found = people.slack.block_suggestion(
        people.uid(TEACHER), "runners", "runners", "patel", view
    ).json()
    assert [o["text"]["text"] for o in found["options"]] == ["Aisha Patel"]
    reply = people.submit(
        TEACHER,
        view,
        {
            "site_id": "willow",
            "platform": "TikTok",
            "handle": "@WillowSport",
            "purpose": "Match results and sports day.",
            "audience": "Parents of pupils in school teams.",
            "runners": [(ASSISTANT, "Aisha Patel")],
        },
    )
    ref = re.search(r"NA-\d{4}-\d{4}", str(reply["view"])).group(0)  # type: ignore[union-attr]
    card = people.card(COMMS, ref, containing="Approve")
    assert "Match results" in str(card["blocks"])
    people.click(COMMS, card, "Approve")
    people.card(TEACHER, ref, containing="approved")
    people.card(ASSISTANT, ref, containing="You can now post on @WillowSport")
    people.card(HEAD, ref, containing="New account @WillowSport")
    listed = register(people, fake_slack, COMMS, "willow")
    assert "@WillowSport (TikTok)" in str(listed["blocks"])
    assert "Aisha Patel" in str(listed["blocks"])
    form = open_via(people, fake_slack, "j.whitaker@willow.example", "access")
    assert "willow-tiktok" in str(form)


def test_app_home_offers_the_way_in(people: People, fake_slack: FakeSlack) -> None:
    user = people.uid(ASSISTANT)
    people.slack.app_home_opened(user)
    home = fake_slack.wait_for(
        lambda f: (v := f.home_view(user)) and "Ask to post on an account" in str(v) and v
    )
    button = next(b for b in buttons(home) if b["text"] == "Ask to post on an account")
    before = len(fake_slack.calls("views.open"))
    people.slack.view_action(user, button["action_id"], button["value"], home)
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > before)
    opened = fake_slack.last_view_opened()
    assert opened is not None and opened["callback_id"] == "access_request_form"
