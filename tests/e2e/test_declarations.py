# End to end: a relationship declaration (rule D1) from the form to the Safeguarding Lead and
# back, and nobody else able to see it through any command, button, search or App Home.
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.harness import STRANGER, BotServer, People
from tests.fakes.slack_api import FakeSlack

TEACHER = "d.hughes@willow.example"
DSL = "j.whitaker@willow.example"
HEAD = "s.thompson@willow.example"
OAK_DSLS = ("r.lawson@oakfield.example", "h.fraser@oakfield.example")
COMMS = "h.whitfield@trust.example"
COMMAND = "/declare-relationship"
PUPIL = "Bramble Thistlewick"


@pytest.fixture(scope="module", autouse=True)
def register(server: BotServer) -> None:
    server.import_consent()


def declare(people: People, email: str = TEACHER, **answers: Any) -> dict[str, Any]:
    view = people.open_form(email, COMMAND)
    defaults: dict[str, Any] = {
        "relationship": "relative",
        "platforms": ["Facebook", "WhatsApp"],
        "since": "2024-09-01",
    }
    return people.submit(email, view, defaults | answers)


def ref_of(reply: dict[str, Any]) -> str:
    assert reply.get("response_action") == "update", reply
    match = re.search(r"RD-\d{4}-\d{4}", str(reply["view"]["blocks"]))
    assert match, reply
    return match.group(0)


def test_a_declaration_reaches_the_dsl_who_acknowledges_it(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    reply = declare(people, **{"declaration_pupil": server.pupil_id("WIL-1001")})
    ref = ref_of(reply)
    confirmation = str(reply["view"])
    assert "Jamie Whitaker" in confirmation or DSL in confirmation or "Safeguarding" in confirmation
    assert "no e-mail was sent" in confirmation

    card = people.card(DSL, ref, containing="Acknowledge")
    assert PUPIL not in card["text"], "the notification never names the pupil"
    assert PUPIL in str(card["blocks"]) and "A relative" in str(card["blocks"])
    assert "Not sent: e-mail is not set up" in str(card["blocks"])
    mine = people.card(TEACHER, ref, containing="It has ended")
    assert "E-mail not sent" in str(mine["blocks"])
    assert not people.cards(HEAD, ref), "the Headteacher is not told"
    assert not any(people.cards(e, ref) for e in OAK_DSLS)

    people.click(HEAD, card, "Acknowledge")  # a forged click by someone who may not see it
    assert "not one you can see" in people.told(HEAD, "declaration")
    assert server.scalar(f"SELECT status FROM declaration WHERE ref = '{ref}'") == "open"

    people.click(DSL, card, "Acknowledge")
    people.card(TEACHER, ref, containing="acknowledged your declaration")
    updated = people.card(DSL, ref, containing="Acknowledged by")
    assert updated["ts"] == card["ts"], "the card is updated in place"
    people.click(DSL, card, "Acknowledge")
    assert "already acknowledged by" in people.told(DSL, "already")
    assert server.scalar(f"SELECT status FROM declaration WHERE ref = '{ref}'") == "acknowledged"
    assert PUPIL not in server.log(), "no pupil name in the server's log"


def test_a_question_and_a_reply_reach_each_other(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    ref = ref_of(declare(people, pupil_name="Rowan Example", pupil_site="willow"))
    card = people.card(DSL, ref, containing="Ask a question")
    view = people.modal_after_click(DSL, card, "Ask a question")
    assert people.submit(DSL, view, {"text": "Do you teach them?"})["response_action"] == "update"
    question = people.card(TEACHER, ref, containing="A question about")
    assert "Reply" in str(question["blocks"])

    people.click(HEAD, question, "Reply")  # only the declarer may reply
    assert "not one you can see" in people.told(HEAD, "not one you can see")
    view = people.modal_after_click(TEACHER, question, "Reply")
    people.submit(TEACHER, view, {"text": "No, they are in another class."})
    people.card(DSL, ref, containing="No, they are in another class.")
    people.card(DSL, ref, containing="Questions and replies")


def test_a_pupil_at_another_school_goes_to_that_schools_dsls(
    people: People, fake_slack: FakeSlack
) -> None:
    ref = ref_of(declare(people, pupil_name="Ash Example", pupil_site="oakfield"))
    for lead in OAK_DSLS:
        people.card(lead, ref, containing="Acknowledge")
    assert not people.cards(DSL, ref)


def test_form_errors_come_back_in_plain_words(people: People, server: BotServer) -> None:
    before = server.scalar("SELECT count(*) FROM declaration")
    view = people.open_form(TEACHER, COMMAND)
    reply = people.submit(
        TEACHER,
        view,
        {"relationship": "other", "platforms": ["Facebook"], "since": "2099-01-01"},
    )
    assert reply["response_action"] == "errors"
    errors = reply["errors"]
    assert errors["declaration_pupil"].startswith("Please pick the pupil")
    assert errors["description"] == "Please say how you are connected."
    assert "future" in errors["since"]
    reply = people.submit(
        TEACHER,
        view,
        {"pupil_name": "x" * 101, "pupil_site": "willow", "relationship": "relative"}
        | {"platforms": ["Facebook"], "since": "2024-01-01"},
    )
    assert "100 characters or fewer" in reply["errors"]["pupil_name"]
    assert server.scalar("SELECT count(*) FROM declaration") == before


def test_only_the_dsls_and_the_declarer_see_it_anywhere(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    name = "Sorrel Onlyseen"
    ref = ref_of(declare(people, pupil_name=name, pupil_site="willow", note="Private note."))
    people.card(DSL, ref, containing="Acknowledge")

    def listing(email: str) -> str:
        """What `/declare-relationship list` answers this person (through its response URL)."""
        people.command(email, COMMAND, "list")
        name = people.slack.last_response_url.rsplit("/", 1)[-1]
        return str(fake_slack.wait_for(lambda f: f.responses(name)))

    for email in (TEACHER, DSL):
        assert name in listing(email)
    assert "Register of relationship declarations" in listing(DSL)
    assert "Private note." not in listing(DSL), "the register lists, it does not show notes"
    for email in (HEAD, OAK_DSLS[0], COMMS):
        answer = listing(email)
        assert name not in answer and ref not in answer and "Your declarations" in answer
    assert "Register of relationship declarations" not in listing(HEAD)

    stranger = people.slack.command(STRANGER[1], COMMAND, "list")
    assert stranger.status_code == 200
    assert name not in str(fake_slack.ephemerals_to(STRANGER[1]))

    for email in (HEAD, OAK_DSLS[0], COMMS, DSL, TEACHER):
        people.slack.app_home_opened(people.uid(email))
    dsl_home = fake_slack.wait_for(
        lambda f: (v := f.home_view(people.uid(DSL))) and ref in str(v) and v
    )
    assert "Safeguarding queue" in str(dsl_home) and name in str(dsl_home)
    fake_slack.wait_for(lambda f: (v := f.home_view(people.uid(TEACHER))) and ref in str(v))
    for email in (HEAD, OAK_DSLS[0], COMMS):
        home = fake_slack.wait_for(lambda f, e=email: f.home_view(people.uid(e)))
        assert name not in str(home) and ref not in str(home)

    view = people.open_form(HEAD, COMMAND)
    found = people.slack.block_suggestion(
        people.uid(OAK_DSLS[0]), "declaration_pupil", "declaration_pupil", "thistlewick", view
    )
    assert found.json()["options"] == [], "Oakfield staff cannot search Willow's pupils"
    mine = people.slack.block_suggestion(
        people.uid(TEACHER), "declaration_pupil", "declaration_pupil", "thistlewick", view
    )
    assert [o["text"]["text"] for o in mine.json()["options"]] == [
        "Bramble Thistlewick · Reception · Willow Primary School"
    ]


def test_ending_a_declaration_tells_the_dsl(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    ref = ref_of(declare(people, pupil_name="Hazel Example", pupil_site="willow"))
    mine = people.card(TEACHER, ref, containing="It has ended")
    view = people.modal_after_click(TEACHER, mine, "It has ended")
    people.submit(TEACHER, view, {"reason": "connection_removed"})
    people.card(DSL, ref, containing="ended it")
    assert server.scalar(f"SELECT status FROM declaration WHERE ref = '{ref}'") == "ended"
    people.click(TEACHER, mine, "It has ended")
    assert "already ended" in people.told(TEACHER, "already ended")


def test_a_safeguarding_report_joins_the_dsl_queue(people: People, fake_slack: FakeSlack) -> None:
    ref = people.report(TEACHER, flags=["safeguarding"])
    people.card(DSL, ref)
    people.slack.app_home_opened(people.uid(DSL))
    home = fake_slack.wait_for(
        lambda f: (v := f.home_view(people.uid(DSL))) and ref in str(v) and v
    )
    text = str(home)
    assert text.index("Safeguarding queue") < text.index(ref)
    people.slack.app_home_opened(people.uid(HEAD))
    head = fake_slack.wait_for(
        lambda f: (v := f.home_view(people.uid(HEAD))) and ref in str(v) and v
    )
    assert "Safeguarding queue" not in str(head), "the Headteacher sees it as a lead, not a DSL"
