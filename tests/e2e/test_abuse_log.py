# End to end through Slack: an abusive comment logged with /abuse-log reaches the Head of Comms
# and the school's Headteacher, its status moves by button (once), a forged click is refused,
# /abuse-log list shows each person only what they may see, and a screenshot given in the form
# is fetched from Slack, fingerprinted and kept by the bot.
from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from tests.e2e.harness import BotServer, People
from tests.fakes.slack_api import FakeSlack

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
OAK_HEAD = "m.obrien@oakfield.example"
DSL = "j.whitaker@willow.example"
COMMS = "h.whitfield@trust.example"
COMMAND = "/abuse-log"


def log_comment(people: People, email: str = TEACHER, **answers: Any) -> dict[str, Any]:
    view = people.open_form(email, COMMAND)
    defaults: dict[str, Any] = {
        "site": "willow",
        "platform": "Facebook",
        "account": "Willow Parents Group",
        "link": "https://facebook.com/groups/willow/posts/9",
        "author": "@not_a_fan",
        "seen_at": int(time.time()) - 3600,
        "kind": "abuse_of_staff",
        "screenshot": "https://trust.sharepoint.com/abuse/9.png",
        "done": ["hidden"],
    }
    return people.submit(email, view, defaults | answers)


def ref_of(reply: dict[str, Any]) -> str:
    assert reply.get("response_action") == "update", reply
    match = re.search(r"AL-\d{4}-\d{4}", str(reply["view"]["blocks"]))
    assert match, reply
    return match.group(0)


def test_a_logged_comment_reaches_its_keepers_who_move_it_on(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    ref = ref_of(log_comment(people))
    card = people.card(COMMS, ref, containing="Reported to platform")
    assert "not_a_fan" not in card["text"], "the notification does not name the author"
    assert "not_a_fan" in str(card["blocks"]) and "abuse/9.png" in str(card["blocks"])
    people.card(HEAD, ref, containing="Escalate to police")
    assert not people.cards(OAK_HEAD, ref) and not people.cards(DSL, ref)

    people.click(OAK_HEAD, card, "Escalate to police")  # forged: another school's Headteacher
    assert "not one you can see" in people.told(OAK_HEAD, "abuse log entry")
    people.click(TEACHER, card, "Close")  # whoever logged it sees it but may not change it
    assert "Only the Head of Communications" in people.told(TEACHER, "Only the Head")
    assert server.scalar(f"SELECT status FROM abuse_entry WHERE ref = '{ref}'") == "open"

    people.click(COMMS, card, "Reported to platform")
    updated = people.card(COMMS, ref, containing="Reported to the platform (")
    assert updated["ts"] == card["ts"], "the card is updated in place"
    people.click(HEAD, card, "Reported to platform")  # a second click changes nothing
    assert "already reported to the platform" in people.told(HEAD, "already")
    assert server.scalar(f"SELECT status FROM abuse_entry WHERE ref = '{ref}'") == "reported"
    assert server.scalar(f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}'") == 2
    assert "not_a_fan" not in server.log()


def test_form_errors_come_back_in_plain_words(people: People, server: BotServer) -> None:
    before = server.scalar("SELECT count(*) FROM abuse_entry")
    view = people.open_form(TEACHER, COMMAND)
    reply = people.submit(
        TEACHER,
        view,
        {
            "site": "willow",
            "platform": "X",
            "account": "x",
            "link": "http://x.com/1",
            "author": "someone",
            "seen_at": int(time.time()) + 86400,
            "kind": "spam",
            "screenshot_file": people.fake.add_file("F9", "notes.zip", b"PK", mimetype="x/zip"),
        },
    )
    assert reply["response_action"] == "errors"
    errors = reply["errors"]
    assert errors["link"] == "Please give a web address starting with https://"
    assert "future" in errors["seen_at"] and "PNG, JPEG" in errors["screenshot_file"]
    assert server.scalar("SELECT count(*) FROM abuse_entry") == before


def test_the_list_shows_each_person_only_what_they_may_see(
    people: People, fake_slack: FakeSlack
) -> None:
    willow = ref_of(log_comment(people))
    oak = ref_of(log_comment(people, "o.davies@oakfield.example", site="oakfield"))

    def listing(email: str) -> str:
        people.command(email, COMMAND, "list")
        name = people.slack.last_response_url.rsplit("/", 1)[-1]
        return str(fake_slack.wait_for(lambda f: f.responses(name)))

    comms = listing(COMMS)
    assert willow in comms and oak in comms
    head = listing(HEAD)
    assert willow in head and oak not in head
    mine = listing(TEACHER)
    assert willow in mine and oak not in mine
    dsl = listing(DSL)
    assert willow not in dsl and oak not in dsl and "No entries you can see" in dsl


PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def test_a_screenshot_in_the_form_is_kept_with_its_fingerprint(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    file = fake_slack.add_file("F0SHOT1", "comment.png", PICTURE, user=people.uid(TEACHER))
    ref = ref_of(log_comment(people, screenshot_file=file, screenshot=None))
    digest = hashlib.sha256(PICTURE).hexdigest()
    kept = people.card(TEACHER, f"Screenshot kept with {ref}")
    assert digest in str(kept["blocks"]) and "comment.png" in str(kept["blocks"])
    card = people.card(COMMS, ref, containing=digest)
    assert people.cards(COMMS, ref)[0]["ts"] == card["ts"], "the card is updated in place"
    people.card(HEAD, ref, containing=digest)
    assert fake_slack.downloads == [
        {"id": "F0SHOT1", "authorization": f"Bearer {fake_slack.bot_token}"}
    ]
    shot = f"FROM abuse_screenshot WHERE entry_ref = '{ref}'"
    assert server.scalar(f"SELECT sha256 {shot}") == digest
    assert server.scalar(f"SELECT size {shot}") == len(PICTURE)
    fake_slack.delete_file("F0SHOT1")  # a later copy is checked against what the bot kept
    assert server.scalar(f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}'") == 2


def test_a_screenshot_slack_has_lost_is_asked_for_again_and_can_be_added(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    file = fake_slack.add_file("F0GONE", "gone.png", PICTURE, user=people.uid(TEACHER))
    fake_slack.delete_file("F0GONE")
    ref = ref_of(log_comment(people, screenshot_file=file))
    again = people.card(TEACHER, f"send the screenshot for {ref} again")
    assert f"/abuse-log screenshot {ref}" in str(again["blocks"])
    people.card(COMMS, ref, containing="could not be fetched")

    people.command("o.davies@oakfield.example", COMMAND, f"screenshot {ref}")
    name = people.slack.last_response_url.rsplit("/", 1)[-1]
    assert "not one you can see" in str(fake_slack.wait_for(lambda f: f.responses(name)))
    view = people.open_form(TEACHER, COMMAND, f"screenshot {ref}")
    second = fake_slack.add_file("F0BACK", "back.png", PICTURE[::-1], user=people.uid(TEACHER))
    reply = people.submit(TEACHER, view, {"screenshot_file": second})
    assert reply.get("response_action") == "update" and "Screenshot received" in str(reply)
    digest = hashlib.sha256(PICTURE[::-1]).hexdigest()
    people.card(TEACHER, f"Screenshot kept with {ref}")
    people.card(COMMS, ref, containing=digest)
    for state in ("failed", "kept"):
        where = f"entry_ref = '{ref}' AND state = '{state}'"
        assert server.scalar(f"SELECT count(*) FROM abuse_screenshot WHERE {where}") == 1
