# End to end: a post request from the form through screening, consent, two sign-offs, changes,
# rejection, expiry and publication, with the server's refusals (rules A1-A5).
from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import BotServer, People
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
TEACHER = "d.hughes@willow.example"
COMMS = "h.whitfield@trust.example"
HEAD = "s.thompson@willow.example"
OAKFIELD_HEAD = "m.obrien@oakfield.example"
OTHER_TEACHER = "a.patel@willow.example"
CONFIRM = ["content", "device", "no_other_id"]


@pytest.fixture(scope="module", autouse=True)
def register(server: BotServer) -> None:
    """The Willow consent register, imported with the real command."""
    server.import_consent()


def in_future(seconds: float) -> int:
    return int(time.time() + seconds)


def request(people: People, email: str = TEACHER, **answers: Any) -> dict[str, Any]:
    view = people.open_form(email, "/request-post")
    defaults: dict[str, Any] = {
        "account": "willow-x",
        "objective": "event",
        "text": "Sports day is on Friday afternoon. Come and cheer us on!",
        "publish_at": in_future(3 * 86400),
        "shows": "none",
        "confirmations": CONFIRM,
    }
    return people.submit(email, view, defaults | answers)


def ref_of(reply: dict[str, Any]) -> str:
    assert reply.get("response_action") == "update", reply
    text = str(reply["view"]["blocks"])
    start = text.index("PR-")
    return text[start : start + 12]


def test_the_pupil_search_looks_in_the_schools_register(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    view = people.open_form(TEACHER, "/request-post")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    accounts = [o["value"] for o in blocks["account"]["element"]["options"]]
    assert "willow-x" in accounts and "trust-linkedin" in accounts
    assert "oakfield-x" not in accounts
    answer = people.slack.block_suggestion(
        people.uid(TEACHER), "pupils", "pupils", "thistlewick", view
    )
    labels = [o["text"]["text"] for o in answer.json()["options"]]
    assert labels == ["Bramble Thistlewick · Reception · Willow Primary School"]
    outsider = people.slack.block_suggestion(
        people.uid(OAKFIELD_HEAD), "pupils", "pupils", "thistlewick", view
    )
    assert outsider.json()["options"] == []


def test_two_sign_offs_then_published_with_its_link(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    bramble = server.pupil_id("WIL-1001")
    reply = request(
        people, shows="images", pupils=[bramble], media_links="https://drive.example/sports"
    )
    ref = ref_of(reply)
    assert "Head of Communications and the Headteacher" in str(reply["view"])
    comms_card = people.card(COMMS, ref, containing="Approve")
    head_card = people.card(HEAD, ref, containing="Approve")
    assert "Bramble T.: consent covers this" in str(comms_card["blocks"])
    assert "Bramble" not in comms_card["text"]  # the notification never names a pupil

    people.click(COMMS, comms_card, "Approve")
    people.card(TEACHER, ref, containing="waiting for the Headteacher")
    people.click(HEAD, head_card, "Approve")
    people.card(TEACHER, ref, containing="approved by both sign-offs")

    ready = people.card(COMMS, ref, containing="Mark as published")
    before = len(fake_slack.calls("views.open"))
    people.click(COMMS, ready, "Mark as published")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > before)
    form = fake_slack.last_view_opened()
    assert form is not None
    bad = people.submit(COMMS, form, {"url": "not a link"})
    assert bad["response_action"] == "errors" and "https://" in bad["errors"]["url"]
    done = people.submit(COMMS, form, {"url": "https://x.com/WillowPrimary/status/1"})
    assert done["response_action"] == "update"
    people.card(TEACHER, ref, containing="was published")
    assert server.scalar(f"SELECT status FROM post_request WHERE ref = '{ref}'") == "published"
    signed = server.scalar(
        f"SELECT count(*) FROM post_signoff s JOIN post_request p "
        f"ON p.id = s.post_id WHERE p.ref = '{ref}'"
    )
    assert signed == 2


def test_a_pupil_without_consent_must_be_blurred(people: People, server: BotServer) -> None:
    barney = server.pupil_id("WIL-1004")  # no consent at all
    reply = request(people, shows="images", pupils=[barney])
    assert reply["response_action"] == "errors"
    assert "No consent for images on school accounts: Barney Q." in reply["errors"]["pupils"]
    blurred = request(people, shows="images", pupils=[barney], blurred=[barney])
    ref = ref_of(blurred)
    card = people.card(COMMS, ref, containing="Approve")
    assert "Barney Q.: will be blurred or cropped out" in str(card["blocks"])


def test_a_full_name_with_images_is_blocked(people: People, server: BotServer) -> None:
    bramble = server.pupil_id("WIL-1001")
    reply = request(people, shows="images", pupils=[bramble], text="Well done Bramble Thistlewick!")
    assert reply["response_action"] == "errors"
    assert "Bramble Thistlewick" in reply["errors"]["text"]


def test_changes_make_a_new_version_and_old_clicks_are_refused(
    people: People, fake_slack: FakeSlack
) -> None:
    ref = ref_of(request(people, text="Our choir sings at the town hall on Saturday."))
    head_card = people.card(HEAD, ref, containing="Approve")
    comms_v1 = copy.deepcopy(people.card(COMMS, ref, containing="Approve"))
    people.click(COMMS, comms_v1, "Approve")

    before = len(fake_slack.calls("views.open"))
    people.click(HEAD, head_card, "Request changes")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > before)
    comment_form = fake_slack.last_view_opened()
    assert comment_form is not None
    people.submit(HEAD, comment_form, {"comment": "Please give the time: 2pm."})
    told = people.card(TEACHER, ref, containing="Edit and resubmit")
    assert "Please give the time: 2pm." in str(told["blocks"])

    before = len(fake_slack.calls("views.open"))
    people.click(TEACHER, told, "Edit and resubmit")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > before)
    edit = fake_slack.last_view_opened()
    assert edit is not None and f"Edit {ref}" in str(edit["title"])
    text_block = next(b for b in edit["blocks"] if b.get("block_id") == "text")
    assert "town hall" in text_block["element"]["initial_value"]
    reply = people.submit(
        TEACHER,
        edit,
        {
            "text": "Our choir sings at the town hall on Saturday at 2pm.",
            "account": "willow-x",
            "objective": "event",
            "shows": "none",
            "confirmations": CONFIRM,
        },
    )
    assert "version 2" in str(reply["view"])
    people.card(COMMS, ref, containing="Version 2: sent")

    people.click(COMMS, comms_v1, "Approve")  # the card as it was, showing version 1
    refusal = people.told(COMMS, "version 2 has replaced it")
    assert ref in refusal


def test_reject_with_a_reason_and_nobody_signs_their_own(
    people: People, fake_slack: FakeSlack
) -> None:
    ref = ref_of(request(people, text="Vote for our new school council!"))
    head_card = people.card(HEAD, ref, containing="Approve")
    assert "political" in str(head_card["blocks"]).lower()
    teacher_sees = people.card(TEACHER, ref, containing="was sent")
    people.click(OTHER_TEACHER, head_card, "Approve")
    people.told(OTHER_TEACHER, "or the Headteacher")

    before = len(fake_slack.calls("views.open"))
    people.click(HEAD, head_card, "Reject")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > before)
    form = fake_slack.last_view_opened()
    assert form is not None
    people.submit(HEAD, form, {"comment": "Not for the school account."})
    people.card(TEACHER, ref, containing="Not for the school account.")
    people.click(HEAD, head_card, "Approve")
    people.told(HEAD, "already rejected")
    assert teacher_sees


def test_two_approvers_at_the_same_moment_give_one_result(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    ref = ref_of(request(people, text="Harvest festival collection on Monday."))
    cards = {who: people.card(who, ref, containing="Approve") for who in (COMMS, HEAD)}
    threads = [
        threading.Thread(target=people.click, args=(w, c, "Approve")) for w, c in cards.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    people.card(TEACHER, ref, containing="approved by both sign-offs")
    time.sleep(1)
    approved = [m for m in people.cards(TEACHER, ref) if "approved by both" in str(m)]
    assert len(approved) == 1
    assert server.scalar(f"SELECT status FROM post_request WHERE ref = '{ref}'") == "approved"


def test_a_headteacher_who_lost_the_role_is_refused(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    ref = ref_of(request(people, text="Book fair in the hall all week."))
    card = people.card(HEAD, ref, containing="Approve")
    original = server.directory_file.read_text()
    changed = original.replace(
        "headteacher: [s.thompson@willow.example]", "headteacher: [m.obrien@oakfield.example]"
    )
    assert changed != original
    server.directory_file.write_text(changed)
    try:
        time.sleep(1.1)  # the directory file is re-read when it changes
        people.click(HEAD, card, "Approve")
        people.told(HEAD, "in that role now")
    finally:
        server.directory_file.write_text(original)
        time.sleep(1.1)
    assert (
        server.scalar(
            f"SELECT count(*) FROM post_signoff s JOIN post_request p ON p.id = s.post_id "
            f"WHERE p.ref = '{ref}'"
        )
        == 0
    )


def test_a_request_whose_time_passes_expires(people: People) -> None:
    ref = ref_of(
        request(
            people,
            text="Reminder: school closes early today.",
            objective="parent_info",
            publish_at=in_future(4),
        )
    )
    told = people.card(TEACHER, ref, containing="Resubmit with a new time", timeout=15)
    assert "passed before both sign-offs" in str(told["blocks"])
