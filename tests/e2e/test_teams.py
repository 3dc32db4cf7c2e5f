# End to end on Teams: the real server with Slack and Teams, fake Slack and a fake Bot Connector.
# Messages and invokes to /api/messages; the outbox reaching a Teams person proactively (a new
# 1:1 chat, the app not installed yet, 429 and 500), delivered once.
from __future__ import annotations

import pytest

from tests.e2e.harness import BotServer, People
from tests.e2e.teams_harness import TeamsTrust, card_about, cards_about
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.teams_requests import TeamsRequests, click

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"  # reached on Teams (channel: teams in the directory)
OAK_TEACHER = "o.davies@oakfield.example"
OAK_HEAD = "m.obrien@oakfield.example"  # on Teams, app not installed at first
RIVER_TEACHER = "b.carter@riverside.example"
RIVER_HEAD = "a.fletcher@riverside.example"  # on Teams
STRANGER = "visitor@elsewhere.example"
PEOPLE = {
    HEAD: "Sarah Thompson",
    TEACHER: "David Hughes",
    OAK_HEAD: "Michael O'Brien",
    RIVER_HEAD: "Andrew Fletcher",
    STRANGER: "A Visitor",
}


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    return TeamsTrust(PEOPLE, not_installed=(OAK_HEAD,), on_teams=(HEAD, OAK_HEAD, RIVER_HEAD))


def texts(card: dict) -> str:
    return str(card)


def test_help_is_answered_with_a_card(teams: TeamsRequests, connector: FakeBotConnector) -> None:
    response = teams.message(TEACHER, "help")
    assert response.status_code in (200, 202), response.text
    reply = connector.wait_for(lambda c: c.cards_to(TEACHER))[-1]
    assert reply["type"] == "AdaptiveCard"
    assert "How policybot helps" in texts(reply)
    assert not connector.calls("typing")


def test_any_other_words_get_help(teams: TeamsRequests, connector: FakeBotConnector) -> None:
    before = len(connector.cards_to(TEACHER))
    teams.message(TEACHER, "what can you do?")
    reply = connector.wait_for(lambda c: c.cards_to(TEACHER)[before:])[-1]
    assert "How policybot helps" in texts(reply)


def test_an_unknown_invoke_gets_a_clear_card_never_501(teams: TeamsRequests) -> None:
    response = teams.invoke(TEACHER, "composeExtension/fetchTask", {"commandId": "x"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "cannot do that here" in texts(body["value"])


def test_an_unknown_button_is_answered_with_a_card(teams: TeamsRequests) -> None:
    response = teams.action(TEACHER, "no_such_button", {"value": "x"})
    assert response.status_code == 200, response.text
    assert "no longer in use" in texts(response.json()["value"])


def test_someone_not_in_the_directory_gets_a_plain_refusal(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    teams.message(STRANGER, "report misuse")
    reply = connector.wait_for(lambda c: c.cards_to(STRANGER))[-1]
    assert "can't find your account" in texts(reply)
    assert "actions" not in reply
    response = teams.action(STRANGER, "report_acknowledge", {"value": "MR-2026-0001"})
    assert response.status_code == 200
    assert "can't find your account" in texts(response.json()["value"])


def test_malformed_requests_are_refused(server: BotServer) -> None:
    import httpx

    response = httpx.post(server.url + "/api/messages", content=b"{not json", timeout=5)
    assert response.status_code == 400
    response = httpx.post(server.url + "/api/messages", json={"type": "message"}, timeout=5)
    assert response.status_code == 400
    response = httpx.post(
        server.url + "/api/messages",
        json={"type": "message"},
        headers={"Authorization": "Bearer not-a-token"},
        timeout=5,
    )
    assert response.status_code == 401


def test_a_report_made_on_slack_reaches_the_headteacher_on_teams_and_is_acknowledged_there(
    people: People, teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    ref = people.report(TEACHER, subject_name="A pupil in Year 5")
    card = card_about(connector, HEAD, ref)
    assert "Acknowledge" in texts(card)
    created = [c for c in connector.calls("create") if c.status == 201]
    assert created and created[0].body["members"] == [{"id": connector.user(HEAD).user_id}]
    assert not [m for m in people.fake.messages_to(people.uid(HEAD)) if ref in str(m)]
    people.card(TEACHER, ref, containing="received")  # the reporter stays on Slack

    answer = click(teams, HEAD, card, "Acknowledge")  # acknowledged on Teams: one record
    assert answer.status_code == 200
    people.card(TEACHER, ref, containing="was acknowledged")


def test_a_person_without_the_app_gets_it_once_they_install_it(
    people: People, teams: TeamsRequests, connector: FakeBotConnector, server: BotServer
) -> None:
    ref = people.report(OAK_TEACHER, subject_name="A pupil in Year 2")
    connector.wait_for(lambda c: [x for x in c.calls("create") if x.status == 403])
    waiting = server.cli("outbox", "list").stdout
    assert "Teams app is not installed" in waiting and OAK_HEAD in waiting
    assert not cards_about(connector, OAK_HEAD, ref)

    teams.install(OAK_HEAD)
    connector.wait_for(lambda c: cards_about(c, OAK_HEAD, ref), timeout=15)
    import time

    time.sleep(2)
    assert len(cards_about(connector, OAK_HEAD, ref)) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1), (500, None)])
def test_a_refused_send_is_delivered_once_when_the_connector_recovers(
    people: People, connector: FakeBotConnector, status: int, retry_after: int | None
) -> None:
    before = len(connector.calls("send"))
    connector.fail_next(status, times=2, retry_after=retry_after, on="send")
    ref = people.report(RIVER_TEACHER, subject_name=f"A pupil, case {status}")
    connector.wait_for(lambda c: cards_about(c, RIVER_HEAD, ref), timeout=20)
    import time

    time.sleep(2)
    assert len(cards_about(connector, RIVER_HEAD, ref)) == 1
    refused = [c for c in connector.calls("send")[before:] if c.status == status]
    assert len(refused) == 2
    if retry_after:
        sends = [c for c in connector.calls("send")[before:] if ref in str(c.body)]
        assert sends[-1].at - sends[0].at >= retry_after * 0.9


def test_the_sdk_does_not_warn_about_the_app_id_on_every_anonymous_turn(server: BotServer) -> None:
    assert "teams" in server.log()  # turns were served
    assert "App ID is not provided" not in server.log()
