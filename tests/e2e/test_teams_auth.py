# End to end on Teams with tokens: inbound requests signed with the fake connector's key (a
# local JWKS), outbound calls with the bot's own token from the fake login; Slack unaffected.
from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.e2e.harness import People
from tests.e2e.teams_harness import TeamsTrust
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.teams_requests import TeamsRequests

TEACHER = "d.hughes@willow.example"


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    return TeamsTrust({TEACHER: "David Hughes"}, auth=True)


def test_a_signed_request_is_answered_with_the_bots_own_token(
    teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    response = teams.message(TEACHER, "help")
    assert response.status_code in (200, 202), response.text
    connector.wait_for(lambda c: c.cards_to(TEACHER))
    replies = [c for c in connector.calls("reply") if c.status < 300]
    assert replies and all(c.authorised for c in replies)
    assert [c for c in connector.calls("token") if c.status == 200]


def test_a_signed_invoke_is_answered(teams: TeamsRequests) -> None:
    response = teams.invoke(TEACHER, "task/fetch")
    assert response.status_code == 200
    assert response.json()["type"] == "application/vnd.microsoft.card.adaptive"


@pytest.mark.parametrize(
    "token",
    [
        None,  # no Authorization header: anonymous is not allowed here
        "not-a-jwt",
        "other-key",
        "other-audience",
        "expired",
    ],
)
def test_a_bad_token_gets_401(
    teams: TeamsRequests, connector: FakeBotConnector, token: str | None
) -> None:
    user = connector.user(TEACHER)
    activity = teams.activity(user, "message", text="help")
    if token is None:
        response = httpx.post(teams.url, json=activity, timeout=10)
    else:
        bad = {
            "not-a-jwt": "not-a-jwt",
            "other-key": connector.token_for_bot(
                key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
            ),
            "other-audience": connector.token_for_bot(audience="someone-else"),
            "expired": connector.token_for_bot(exp=1_000_000, iat=999_000, nbf=999_000),
        }[token]
        response = teams.post(activity, token=bad)
    assert response.status_code == 401, response.text


def test_slack_is_unaffected_by_teams_tokens(people: People) -> None:
    response = people.command(TEACHER, "/policybot")
    assert response.status_code == 200
