# End to end: /consent from the office's look-up to a recorded withdrawal, the refusals, and the
# take-down task it creates for the Head of Comms, closed as not practicable (rules C1, C2).
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlmodel import Session

from storage.engine import sync_url
from storage.tables import PostPupilRow, PostRow, PostVersionRow
from tests.e2e.harness import BotServer, People
from tests.fakes.slack_api import FakeSlack

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "consent-willow.csv"
OFFICE = "k.holt@willow.example"
OAK_OFFICE = "j.marsh@oakfield.example"
TEACHER = "d.hughes@willow.example"
COMMS = "h.whitfield@trust.example"


@pytest.fixture(scope="module", autouse=True)
def register(server: BotServer) -> None:
    """The Willow consent register, imported with the real command."""
    server.import_consent()


def look_up(people: People, email: str, query: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open /consent, search, pick the first pupil found; returns the change form and the
    option picked."""
    view = people.open_form(email, "/consent")
    found = people.slack.block_suggestion(
        people.uid(email), "consent_pupil", "consent_pupil", query, view
    ).json()
    option = found["options"][0]
    reply = people.submit(email, view, {"consent_pupil": (option["value"], option["text"]["text"])})
    assert reply.get("response_action") == "update", reply
    return {**reply["view"], "id": view["id"]}, option


def publish(server: BotServer, ref: str, pupil: int, shows: str = "images") -> None:
    """A published post showing the pupil, as the post flows would leave it."""
    now = datetime.now(UTC)
    engine = sqlalchemy.create_engine(sync_url(server.env()["DATABASE_URL"]))
    with Session(engine) as session:
        post = PostRow(
            ref=ref,
            source_key=f"e2e:{ref}",
            requester=TEACHER,
            account_id="willow-x",
            site_id="willow",
            objective="event",
            status="published",
            created_at=now,
            submitted_at=now,
            publish_at=now,
            published_at=now,
            published_by=TEACHER,
            published_url=f"https://x.example/WillowPrimary/{ref}",
        )
        session.add(post)
        session.flush()
        session.add(
            PostVersionRow(
                post_id=post.id,
                number=1,
                source_key=f"e2e:{ref}:v1",
                text="Sports day!",
                publish_at=now,
                shows=shows,
                submitted_at=now,
                submitted_by=TEACHER,
            )
        )
        session.add(PostPupilRow(post_id=post.id, version=1, pupil_id=pupil, blurred=False))
        session.commit()
    engine.dispose()


def test_office_looks_up_a_pupil_and_records_a_withdrawal(
    people: People, server: BotServer
) -> None:
    change_form, option = look_up(people, OFFICE, "zoe")
    assert option["text"]["text"] == "Zoë Fennelworth · Reception · Willow Primary School"
    boxes = next(b for b in change_form["blocks"] if b.get("block_id") == "consent")["element"]
    assert [o["value"] for o in boxes["initial_options"]] == [
        "images_school",
        "videos_school",
        "images_trust",
        "videos_trust",
    ]
    assert "First recorded" in str(change_form["blocks"][0])

    reply = people.submit(OFFICE, change_form, {"consent": ["images_school"], "how": "letter"})
    assert reply["response_action"] == "update", reply
    text = reply["view"]["blocks"][0]["text"]["text"]
    assert text.startswith("Recorded: Zoë F.'s consent is now") and "version 2" in text
    pupil = int(server.pupil_id("WIL-1003"))
    assert server.scalar(f"SELECT version FROM pupil WHERE id = {pupil}") == 2
    assert (
        server.scalar(
            f"SELECT source FROM consent_history WHERE pupil_id = {pupil} AND version = 2"
        )
        == "letter"
    )

    again = people.submit(OFFICE, change_form, {"consent": ["images_school"], "how": "letter"})
    assert "already recorded" in again["view"]["blocks"][0]["text"]["text"]
    assert server.scalar(f"SELECT count(*) FROM consent_history WHERE pupil_id = {pupil}") == 2


def test_an_unchanged_submission_is_a_field_error(people: People) -> None:
    change_form, _ = look_up(people, OFFICE, "barney")
    reply = people.submit(
        OFFICE,
        change_form,
        {"consent": [], "how": "email"},  # Barney had no consent: unticking nothing changes nothing
    )
    assert reply == {
        "response_action": "errors",
        "errors": {"consent": "Nothing has changed: tick or untick a box, or Cancel."},
    }


def test_a_teacher_is_refused_and_finds_nobody(people: People, fake_slack: FakeSlack) -> None:
    opened = len(fake_slack.calls("views.open"))
    people.command(TEACHER, "/consent")
    refusal = fake_slack.wait_for(lambda f: f.ephemerals_to(people.uid(TEACHER)))
    assert "kept by each school's office" in refusal[-1]["text"]
    assert len(fake_slack.calls("views.open")) == opened
    view = people.open_form(OFFICE, "/consent")
    for email in (TEACHER, OAK_OFFICE):
        found = people.slack.block_suggestion(
            people.uid(email), "consent_pupil", "consent_pupil", "bramble", view
        ).json()
        assert found == {"options": []}


def test_a_withdrawal_asks_the_head_of_comms_to_take_the_post_down(
    people: People, server: BotServer, fake_slack: FakeSlack
) -> None:
    pupil = int(server.pupil_id("WIL-1001"))
    publish(server, "PR-2026-0900", pupil)
    change_form, _ = look_up(people, OFFICE, "bramble thistle")
    reply = people.submit(
        OFFICE, change_form, {"consent": ["videos_school"], "how": "email", "note": "Mum's e-mail"}
    )
    assert "1 take-down task(s) were created" in reply["view"]["blocks"][0]["text"]["text"]

    card = people.card(COMMS, "PR-2026-0900", containing="Not practicable")
    assert card["text"].startswith("A published post needs taking down")
    assert "Bramble" not in card["text"] and "Thistlewick" not in str(card)
    stale = people.card(TEACHER, "PR-2026-0900", containing="Taken down")

    people.slack.app_home_opened(people.uid(COMMS))
    home = fake_slack.wait_for(lambda f: f.home_view(people.uid(COMMS)))
    assert "Take down post PR-2026-0900" in str(home["blocks"])

    opened = len(fake_slack.calls("views.open"))
    people.click(COMMS, card, "Not practicable")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > opened)
    reason_form = fake_slack.last_view_opened()
    assert reason_form is not None
    too_long = people.submit(COMMS, reason_form, {"reason": "x" * 1001})
    assert too_long["response_action"] == "errors"
    closed = people.submit(COMMS, reason_form, {"reason": "It was printed in the newsletter."})
    assert closed["view"]["title"]["text"] == "Task closed"
    updated = people.card(COMMS, "PR-2026-0900", containing="Marked not practicable")
    assert updated["ts"] == card["ts"], "the card is updated in place"
    assert "Not practicable" not in str(updated["blocks"]), "no buttons once closed"

    people.click(TEACHER, stale, "Taken down")  # the publisher's card as it was before
    polite = fake_slack.wait_for(
        lambda f: [e for e in f.ephemerals_to(people.uid(TEACHER)) if "already closed" in e["text"]]
    )
    assert "Hannah Whitfield" in polite[-1]["text"]
    assert server.scalar("SELECT status FROM task WHERE post_ref = 'PR-2026-0900'") == (
        "not_practicable"
    )


def test_the_server_log_names_no_pupil(server: BotServer) -> None:
    log = server.log()
    assert "consent" in log and "pupil search" in log
    rows = [line.split(",") for line in EXAMPLE.read_text(encoding="utf-8-sig").splitlines()[1:]]
    names = {name for row in rows for name in (row[1], row[2], row[3]) if len(name) > 2}
    assert not [name for name in names if name in log]
