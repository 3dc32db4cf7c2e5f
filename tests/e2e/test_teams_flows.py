# End to end on Teams through the whole bot's desk: a report made and acknowledged in Teams (the
# card updated in place for everyone who has it), a post approved by two people, a declaration
# reaching the Safeguarding Lead, a training nudge, and a card two people hold (both updated
# when one acts; one gone from Teams posted again, once), all on a Teams-only Trust.
from __future__ import annotations

import re
import time

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
from tests.fakes.teams_requests import TeamsRequests, click, submit

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
DSL = "j.whitaker@willow.example"
COMMS = "h.whitfield@trust.example"
PEOPLE = {
    TEACHER: "David Hughes",
    HEAD: "Sarah Thompson",
    DSL: "James Whitaker",
    COMMS: "Hannah Whitfield",
}
ALWAYS = {"WORKING_HOURS": "00:00-24:00", "WORKING_DAYS": "mon-sun"}  # nudges any time


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    """Everyone has opened the app once: their chats are known."""
    return TeamsTrust(PEOPLE, installed=tuple(PEOPLE), slack=False, env=ALWAYS)


def test_a_report_made_on_teams_is_acknowledged_on_teams_and_updated_in_place(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    form = reply_card(teams, TEACHER, "report misuse")
    response = submit(
        teams,
        TEACHER,
        form,
        {
            "category": "pupil_misuse",
            "subject_name": "A pupil in Year 5",
            "platform": "Instagram",
            "description": "Unkind posts about a pupil.",
        },
    )
    ref = sent_ref(response, "MR")

    card = card_about(connector, HEAD, ref)
    assert "Unkind posts" in str(card)
    answer = click(teams, HEAD, card, "Acknowledge")
    assert answer.status_code == 200
    assert "Acknowledged" in str(answer.json()["value"]), "the clicker sees the updated card"
    updated_in_place(connector, card, "Acknowledged")
    assert len(cards_about(connector, HEAD, ref)) == 1, "one card, updated"
    card_about(connector, TEACHER, "was acknowledged")


def test_a_form_with_mistakes_comes_back_with_them_marked(teams: TeamsRequests) -> None:
    form = reply_card(teams, TEACHER, "report misuse")
    response = submit(teams, TEACHER, form, {"category": "", "description": ""})
    assert response.status_code == 200
    again = response.json()["value"]
    assert "Please check the answers marked below." in str(again)
    assert any(str(a.get("verb", "")).startswith("form:") for a in again.get("actions", []))


def test_a_second_click_changes_nothing(teams: TeamsRequests, connector: FakeBotConnector) -> None:
    card = card_about(connector, HEAD, "Acknowledged")
    before = len(connector.calls("update"))
    answer = teams.action(
        HEAD, "report_acknowledge", {"value": re.search(r"MR-\d{4}-\d{4}", str(card)).group(0)}
    )  # type: ignore[union-attr]
    assert answer.status_code == 200
    assert "already" in str(answer.json()["value"]).lower()
    time.sleep(1)
    assert len(connector.calls("update")) == before


def test_help_lists_what_the_person_may_do(teams: TeamsRequests) -> None:
    card = reply_card(teams, HEAD, "help")
    text = str(card)
    assert "report-misuse" in text or "report misuse" in text
    assert "As Headteacher" in text


def test_a_post_request_is_approved_by_two_people_on_teams(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    when = datetime.now(ZoneInfo("Europe/London")) + timedelta(days=3)
    form = reply_card(teams, TEACHER, "request post")
    response = submit(
        teams,
        TEACHER,
        form,
        {
            "account": "willow-x",
            "objective": "event",
            "text": "Sports day is on Friday afternoon. Come and cheer us on!",
            "publish_at": when.date().isoformat(),
            "publish_at.time": "10:00",
            "shows": "none",
            "confirmations": ["content", "device", "no_other_id"],
        },
    )
    ref = sent_ref(response, "PR")
    click(teams, COMMS, card_about(connector, COMMS, ref), "Approve")
    card_about(connector, TEACHER, "waiting for the Headteacher")
    click(teams, HEAD, card_about(connector, HEAD, ref), "Approve")
    card_about(connector, TEACHER, "approved by both sign-offs")


def test_a_declaration_reaches_the_safeguarding_lead_on_teams(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    form = reply_card(teams, TEACHER, "declare relationship")
    response = submit(
        teams,
        TEACHER,
        form,
        {
            "pupil_name": "Juniper Teamstest",
            "pupil_site": "willow",
            "relationship": "relative",
            "platforms": ["Facebook"],
            "since": "2024-09-01",
        },
    )
    ref = sent_ref(response, "RD")
    card = card_about(connector, DSL, ref)
    assert "Juniper Teamstest" in str(card) and "Acknowledge" in str(card)
    assert not cards_about(connector, HEAD, ref)


def test_a_training_nudge_reaches_people_on_teams(
    connector: FakeBotConnector, server: BotServer
) -> None:
    records = server.workdir / "training.csv"  # nudges start once the register has a record
    row = "h.whitfield@trust.example,Social media and online safety,2026-09-10"
    records.write_text(f"email,course,completed_on\n{row}\n")
    server.cli("training", "import", str(records))
    card = card_about(connector, TEACHER, "training is due", timeout=20)
    assert "I've done it" in str(card) or "done it" in str(card).lower()


def safeguarding_report(teams: TeamsRequests, subject: str) -> str:
    """A safeguarding report at Willow (its card goes to the Headteacher and the DSL)."""
    form = reply_card(teams, TEACHER, "report misuse")
    answers = {
        "category": "pupil_misuse",
        "subject_name": subject,
        "platform": "Instagram",
        "description": "A pupil may be at risk.",
        "flags": ["safeguarding"],
    }
    return sent_ref(submit(teams, TEACHER, form, answers), "MR")


def test_when_one_holder_acknowledges_both_cards_are_updated_in_place(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    ref = safeguarding_report(teams, "A pupil in Year 6")
    head_card, dsl_card = card_about(connector, HEAD, ref), card_about(connector, DSL, ref)
    assert click(teams, HEAD, head_card, "Acknowledge").status_code == 200

    updated_in_place(connector, head_card, "Acknowledged", timeout=15)
    updated_in_place(connector, dsl_card, "Acknowledged", timeout=15)
    time.sleep(1)
    for email in (HEAD, DSL):
        cards = cards_about(connector, email, ref)
        assert len(cards) == 1 and "Acknowledged" in str(cards[0]), "one card, updated in place"


def test_a_card_gone_from_teams_is_posted_again_once(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    ref = safeguarding_report(teams, "A pupil in Year 4")
    held = {email: card_about(connector, email, ref)["_id"] for email in (HEAD, DSL)}
    before = len(connector.calls("update"))
    connector.fail_next(404, times=1, on="update")  # the first update finds its card gone
    assert click(teams, HEAD, card_about(connector, HEAD, ref), "Acknowledge").status_code == 200
    gone = connector.wait_for(
        lambda c: [u for u in c.calls("update")[before:] if u.status == 404], timeout=15
    )[0]
    email = next(e for e, activity_id in held.items() if activity_id == gone.activity_id)
    connector.wait_for(
        lambda c: [k for k in c.cards_to(email) if ref in str(k) and k["_id"] != gone.activity_id],
        timeout=15,
    )
    time.sleep(1.5)
    new = [k for k in connector.cards_to(email) if ref in str(k) and k["_id"] != held[email]]
    assert len(new) == 1 and "Acknowledged" in str(new[0]), "a new card, once"
