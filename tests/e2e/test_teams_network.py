# End to end on Teams (rule I1): "network access" asks for a platform for pupils, the Headteacher
# approves and the IT provider presses Done from their cards; "unblock" declined by IT with a
# reason from the form its Decline button opens; once the activity has ended, IT presses Access
# removed on the card that asks for it. A Teams-only Trust whose working day never ends.
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.harness import BotServer
from tests.e2e.teams_harness import TeamsTrust, card_about, reply_card, sent_ref
from tests.e2e.test_network_reminders import ALWAYS, age, ended_activity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.teams_requests import TeamsRequests, click, submit

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
IT = "helpdesk@itpartner.example"
PEOPLE = {TEACHER: "David Hughes", HEAD: "Sarah Thompson", IT: "IT Helpdesk"}


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    return TeamsTrust(PEOPLE, installed=tuple(PEOPLE), slack=False, env=ALWAYS)


def test_network_access_approved_and_applied_on_teams(
    teams: TeamsRequests, connector: FakeBotConnector, server: BotServer
) -> None:
    form = reply_card(teams, TEACHER, "network access")
    today = date.today()
    answers = {
        "site_id": "willow",
        "class_name": "Year 6 Maple",
        "platform": "Instagram",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
        "reason": "Media studies.",
    }
    ref = sent_ref(submit(teams, TEACHER, form, answers), "NW")
    click(teams, HEAD, card_about(connector, HEAD, ref), "Approve")
    card_about(connector, TEACHER, "approved Instagram")
    click(teams, IT, card_about(connector, IT, "Apply security measures"), "Done")
    card_about(connector, TEACHER, "applied the security measures")

    age(server, ref, **ended_activity())  # the activity is over: IT is asked to remove access
    click(teams, IT, card_about(connector, IT, f"Remove network access {ref}"), "Access removed")
    card_about(connector, TEACHER, "removed pupils' access to Instagram")


def test_unblock_declined_on_teams(teams: TeamsRequests, connector: FakeBotConnector) -> None:
    form = reply_card(teams, TEACHER, "unblock")
    answers = {"site_id": "willow", "address": "https://www.nasa.gov", "reason": "Science."}
    ref = sent_ref(submit(teams, TEACHER, form, answers), "UB")
    opened = click(teams, IT, card_about(connector, IT, f"Unblock request {ref}"), "Decline")
    assert opened.status_code == 200, opened.text
    reason_form = opened.json()["value"]
    done = submit(teams, IT, reason_form, {"reason": "Not suitable for pupils."})
    assert done.status_code == 200 and "declined" in str(done.json()["value"])
    told = card_about(connector, TEACHER, f"Request {ref} declined")
    assert "Not suitable for pupils." in str(told)
