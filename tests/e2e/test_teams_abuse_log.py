# End to end on Teams: "abuse log" answers with the form card, mistakes come back under their
# fields and record nothing, an entry reaches the Head of Comms and the school's Headteacher,
# "abuse log list" shows each person only what they may see, and the status buttons are refused
# to people who may not act, update the card in place, and change nothing when clicked twice.
# Screenshots are sent in chat (attached files, pasted pictures): fetched, fingerprinted, kept.
from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.harness import BotServer
from tests.e2e.teams_harness import (
    TeamsTrust,
    card_about,
    cards_about,
    reply_card,
    sent_ref,
    updated_in_place,
)
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.teams_requests import TeamsRequests, button, click, submit

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
DSL = "j.whitaker@willow.example"  # staff at Willow who keeps no abuse log entry
COMMS = "h.whitfield@trust.example"
OAK_TEACHER = "o.davies@oakfield.example"
OAK_HEAD = "m.obrien@oakfield.example"
PEOPLE = {
    TEACHER: "Daniel Hughes",
    HEAD: "Sarah Thompson",
    DSL: "James Whitaker",
    COMMS: "Hannah Whitfield",
    OAK_TEACHER: "Owen Davies",
    OAK_HEAD: "Michael O'Brien",
}
LINK_WORDS = "Please give a web address starting with https://"
FUTURE_WORDS = "Please choose a time that is not in the future."
REPORTED = "Reported to platform"  # the button
REPORTED_STATUS = "Reported to the platform ("  # the card's status line, with who and when


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    """A Teams-only Trust; everyone has opened the app once."""
    return TeamsTrust(PEOPLE, installed=tuple(PEOPLE), slack=False)


def seen(form: dict[str, Any], hours: float) -> dict[str, str]:
    """The "When did you see it?" answers `hours` from now, in the zone the card asks in."""
    moment = datetime.now(ZoneInfo(form["actions"][0]["data"]["zone"])) + timedelta(hours=hours)
    return {"seen_at": moment.date().isoformat(), "seen_at.time": moment.strftime("%H:%M")}


def answers(form: dict[str, Any], **changed: Any) -> dict[str, Any]:
    """A good entry about Willow, with a screenshot link (not a file), and `changed`."""
    return (
        {
            "site": "willow",
            "platform": "Facebook",
            "account": "Willow Parents Group",
            "link": "https://facebook.com/groups/willow/posts/9",
            "author": "@notafan",
            "kind": "abuse_of_staff",
            "screenshot": "https://trust.sharepoint.com/abuse/9.png",
            "done": ["hidden"],
        }
        | seen(form, -1)
        | changed
    )


def log_comment(teams: TeamsRequests, email: str = TEACHER, **changed: Any) -> str:
    """An entry logged through the form card; its reference."""
    form = reply_card(teams, email, "abuse log")
    return sent_ref(submit(teams, email, form, answers(form, **changed)), "AL")


def error_under(card: dict[str, Any], field: str) -> str | None:
    """The words in the attention colour right under the input `field`, if any."""
    body = card["body"]
    for index, item in enumerate(body[:-1]):
        ids = {item.get("id")} | {
            element.get("id") for column in item.get("columns", []) for element in column["items"]
        }
        if field in ids:
            after = body[index + 1]
            return str(after["text"]) if after.get("color") == "Attention" else None
    raise AssertionError(f"no input {field!r} on the card")


def listing(teams: TeamsRequests, email: str) -> str:
    return str(reply_card(teams, email, "abuse log list"))


def test_abuse_log_answers_with_the_form_card(teams: TeamsRequests) -> None:
    form = reply_card(teams, TEACHER, "abuse log")
    assert form["type"] == "AdaptiveCard"
    assert form["actions"][0]["verb"] == "form:abuse_log"
    fields = {"site", "platform", "account", "link", "author", "seen_at", "kind", "screenshot"}
    assert all(error_under(form, name) is None for name in fields), "no errors at first"
    site = next(item for item in form["body"] if item.get("id") == "site")
    assert site["value"] == "willow", "the school defaults to the person's own"


def test_a_bad_link_and_a_future_time_come_back_in_plain_words_and_record_nothing(
    teams: TeamsRequests, connector: FakeBotConnector, server: BotServer
) -> None:
    before = server.scalar("SELECT count(*) FROM abuse_entry")
    outbox = server.scalar("SELECT count(*) FROM outbox_message")
    cards = len(connector.cards_to(COMMS))
    form = reply_card(teams, TEACHER, "abuse log")
    wrong = answers(form, link="http://x.com/1") | seen(form, 24)
    response = submit(teams, TEACHER, form, wrong)
    assert response.status_code == 200, response.text
    again = response.json()["value"]
    assert "Please check the answers marked below." in str(again)
    assert error_under(again, "link") == LINK_WORDS
    assert error_under(again, "seen_at") == FUTURE_WORDS
    assert error_under(again, "account") is None and error_under(again, "screenshot") is None
    assert next(i for i in again["body"] if i.get("id") == "link")["value"] == "http://x.com/1"
    assert server.scalar("SELECT count(*) FROM abuse_entry") == before
    assert server.scalar("SELECT count(*) FROM outbox_message") == outbox
    time.sleep(1)
    assert len(connector.cards_to(COMMS)) == cards


def test_a_logged_comment_is_recorded_and_reaches_its_keepers(
    teams: TeamsRequests, connector: FakeBotConnector, server: BotServer
) -> None:
    ref = log_comment(teams)
    row = f"FROM abuse_entry WHERE ref = '{ref}'"
    assert server.scalar(f"SELECT logged_by {row}") == TEACHER
    assert server.scalar(f"SELECT site_id {row}") == "willow"
    assert server.scalar(f"SELECT link {row}") == "https://facebook.com/groups/willow/posts/9"
    assert (
        server.scalar(f"SELECT screenshot_url {row}") == "https://trust.sharepoint.com/abuse/9.png"
    )
    assert server.scalar(f"SELECT status {row}") == "open"
    assert ref in listing(teams, TEACHER)

    for keeper in (COMMS, HEAD):
        card = card_about(connector, keeper, ref)
        assert "notafan" in str(card["body"]) and "notafan" not in card["fallbackText"]
        assert button(card, REPORTED)["data"] == {"value": ref}
    time.sleep(1)
    assert not cards_about(connector, OAK_HEAD, ref) and not cards_about(connector, DSL, ref)
    assert not cards_about(connector, TEACHER, f"Abuse log {ref}")


def test_the_list_shows_each_person_only_what_they_may_see(teams: TeamsRequests) -> None:
    willow = log_comment(teams, TEACHER)
    oak = log_comment(teams, OAK_TEACHER, site="oakfield")
    by_dsl = log_comment(teams, DSL)  # Willow's too, logged by someone else

    comms = listing(teams, COMMS)
    assert willow in comms and oak in comms and by_dsl in comms
    head = listing(teams, HEAD)
    assert willow in head and by_dsl in head and oak not in head
    oak_head = listing(teams, OAK_HEAD)
    assert oak in oak_head and willow not in oak_head and by_dsl not in oak_head
    mine = listing(teams, TEACHER)
    assert willow in mine and oak not in mine and by_dsl not in mine
    dsl = listing(teams, DSL)
    assert by_dsl in dsl and willow not in dsl and oak not in dsl


def test_status_buttons_refuse_who_may_not_act_and_move_an_entry_once(
    teams: TeamsRequests, connector: FakeBotConnector, server: BotServer
) -> None:
    ref = log_comment(teams)
    comms_card, head_card = card_about(connector, COMMS, ref), card_about(connector, HEAD, ref)
    status = f"SELECT status FROM abuse_entry WHERE ref = '{ref}'"
    updates = len(connector.calls("update"))

    refusals = {
        OAK_HEAD: "not one you can see",  # another school's Headteacher
        DSL: "not one you can see",  # staff at the school who did not log it
        TEACHER: "Only the Head of Communications",  # who logged it may see it, not move it
    }
    for email, words in refusals.items():
        answer = click(teams, email, head_card, "Escalate to police")
        assert answer.status_code == 200, answer.text
        assert words in str(answer.json()["value"]), email
    time.sleep(1)
    assert server.scalar(status) == "open"
    assert len(connector.calls("update")) == updates, "no card changed"

    action = button(comms_card, REPORTED)
    click_once = teams.action_activity(
        COMMS, action["verb"], action["data"], reply_to=comms_card["_id"]
    )
    answer = teams.post(click_once)
    assert answer.status_code == 200, answer.text
    assert REPORTED_STATUS in str(answer.json()["value"]), "the clicker sees the updated card"
    for card in (comms_card, head_card):
        updated_in_place(connector, card, REPORTED_STATUS)
    assert server.scalar(status) == "reported"
    now = card_about(connector, COMMS, ref)
    assert len(cards_about(connector, COMMS, ref)) == 1 and now["_id"] == comms_card["_id"]
    assert REPORTED_STATUS in str(now) and button(now, "Escalate to helpline")
    assert REPORTED not in [a["title"] for a in now.get("actions", [])]

    moved_at = server.scalar(f"SELECT status_at FROM abuse_entry WHERE ref = '{ref}'")
    updates = len(connector.calls("update"))
    again = teams.post(click_once)  # Teams retries the same activity
    assert again.status_code == 200, again.text
    assert "already reported to the platform" in str(again.json()["value"])
    second = click(teams, HEAD, head_card, REPORTED)  # a second click, by the other keeper
    assert "already reported to the platform" in str(second.json()["value"])
    time.sleep(1)
    assert len(connector.calls("update")) == updates, "nothing changed the second time"
    assert server.scalar(f"SELECT status_at FROM abuse_entry WHERE ref = '{ref}'") == moved_at
    assert server.scalar(f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}'") == 2


PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 30


def sent_files(teams: TeamsRequests, email: str, text: str, *attachments: dict) -> str:
    """Send files in chat; the words of the card the bot answers with."""
    before = len(teams.connector.cards_to(email))
    response = teams.message(email, text, attachments=list(attachments))
    assert response.status_code in (200, 202), response.text
    return str(teams.connector.wait_for(lambda c: c.cards_to(email)[before:])[-1])


def test_screenshots_sent_in_chat_are_fetched_fingerprinted_and_kept(
    teams: TeamsRequests, connector: FakeBotConnector, server: BotServer
) -> None:
    stranger = sent_files(teams, OAK_HEAD, "", connector.file_attachment("a.png", PICTURE))
    assert "haven't logged one today" in stranger

    ref = log_comment(teams)
    how = reply_card(teams, TEACHER, f"abuse log screenshot {ref}")  # a card cannot take files
    assert "actions" not in how and f"with {ref} in the message" in str(how)
    not_a_picture = sent_files(teams, TEACHER, "", connector.file_attachment("x.zip", b"PK"))
    assert "Please add a picture" in not_a_picture
    received = sent_files(teams, TEACHER, "", connector.file_attachment("comment.png", PICTURE))
    assert "Screenshot received" in received and ref in received
    digest = hashlib.sha256(PICTURE).hexdigest()
    kept = card_about(connector, TEACHER, f"Screenshot kept with {ref}")
    assert digest in str(kept) and "comment.png" in str(kept)
    updated_in_place(connector, card_about(connector, COMMS, digest), digest)

    pasted = connector.pasted_picture(PICTURE[::-1])
    assert ref in sent_files(teams, HEAD, f"another one for {ref}", pasted)
    card_about(connector, HEAD, f"Screenshot kept with {ref}")
    card_about(connector, COMMS, hashlib.sha256(PICTURE[::-1]).hexdigest())

    lost = connector.file_attachment("lost.png", PICTURE)
    connector.expire(lost)  # the download address has expired before the bot fetched it
    sent_files(teams, TEACHER, ref, lost)
    card_about(connector, TEACHER, f"send the screenshot for {ref} again")
    refused = sent_files(teams, OAK_TEACHER, ref, connector.file_attachment("c.png", PICTURE))
    assert "only to entries you logged or keep" in refused

    rows = f"FROM abuse_screenshot WHERE entry_ref = '{ref}'"
    assert server.scalar(f"SELECT count(*) {rows} AND state = 'kept'") == 2
    assert server.scalar(f"SELECT count(*) {rows} AND state = 'failed'") == 1
    assert server.scalar(f"SELECT count(*) {rows}") == 3
    assert "comment.png" not in server.log() and "lost.png" not in server.log()
