# End to end on Teams (rule I1): "network access" asks for a platform for pupils, the Headteacher
# approves and the IT provider presses Done from their cards; "unblock" declined by IT with a
# reason from the form its Decline button opens. A Teams-only Trust.
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.harness import SAMPLE, BotServer
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_requests import TeamsRequests, click, submit

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"
IT = "helpdesk@itpartner.example"
PEOPLE = {TEACHER: "David Hughes", HEAD: "Sarah Thompson", IT: "IT Helpdesk"}


@pytest.fixture(scope="module")
def connector() -> Iterator[FakeBotConnector]:
    with FakeBotConnector() as fake:
        for email, name in PEOPLE.items():
            fake.add_user(email, name)
        yield fake


@pytest.fixture(scope="module")
def server(
    fake_slack: FakeSlack, connector: FakeBotConnector, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotServer]:
    bot = BotServer(
        tmp_path_factory.mktemp("teams-network"), fake_slack, extra_env=connector.env(), slack=False
    )
    bot.directory_file.write_text(SAMPLE.read_text())
    bot.start()
    yield bot
    bot.stop()


@pytest.fixture(scope="module")
def teams(server: BotServer, connector: FakeBotConnector) -> TeamsRequests:
    teams = TeamsRequests(server.url, connector)
    for email in PEOPLE:
        teams.install(email)
    return teams


def reply_card(teams: TeamsRequests, email: str, text: str) -> dict[str, Any]:
    before = len(teams.connector.cards_to(email))
    response = teams.message(email, text)
    assert response.status_code in (200, 202), response.text
    return teams.connector.wait_for(lambda c: c.cards_to(email)[before:])[-1]


def card_about(connector: FakeBotConnector, email: str, words: str) -> dict[str, Any]:
    return connector.wait_for(lambda c: [k for k in c.cards_to(email) if words in str(k)])[-1]


def sent_ref(response: Any, prefix: str) -> str:
    assert response.status_code == 200, response.text
    match = re.search(prefix + r"-\d{4}-\d{4}", str(response.json()["value"]))
    assert match, response.json()
    return match.group(0)


def test_network_access_approved_and_applied_on_teams(
    teams: TeamsRequests, connector: FakeBotConnector
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
