# End to end on Teams with PostgreSQL: a report made on Teams reaches a Headteacher who never
# wrote to the bot (a new 1:1 chat by their teams_id), is acknowledged there, and the card is
# updated in place; conversation references and the outbox live in a fresh PostgreSQL database.
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.harness import BotServer
from tests.e2e.teams_harness import (
    TeamsTrust,
    card_about,
    reply_card,
    sent_ref,
    teams_server,
    updated_in_place,
)
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_requests import TeamsRequests, click, submit
from tests.integration.conftest import POSTGRES, fresh_postgres, postgres_reachable

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    people = {TEACHER: "David Hughes", HEAD: "Sarah Thompson"}
    return TeamsTrust(people, on_teams=(HEAD,), installed=(TEACHER,), slack=False)


@pytest.fixture(scope="module")
def server(
    fake_slack: FakeSlack,
    connector: FakeBotConnector,
    teams_trust: TeamsTrust,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotServer]:
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth)")
    url, drop = fresh_postgres(POSTGRES)
    workdir = tmp_path_factory.mktemp("teams-pg")
    try:
        with teams_server(workdir, fake_slack, connector, teams_trust, database_url=url) as bot:
            yield bot
    finally:
        drop()  # type: ignore[operator]


def test_a_report_on_teams_is_acknowledged_on_teams_with_postgresql(
    server: BotServer, teams: TeamsRequests, connector: FakeBotConnector
) -> None:
    form = reply_card(teams, TEACHER, "report misuse")
    answers = {
        "category": "pupil_misuse",
        "subject_name": "A pupil in Year 5",
        "platform": "Instagram",
        "description": "Unkind posts about a pupil.",
    }
    ref = sent_ref(submit(teams, TEACHER, form, answers), "MR")

    card = card_about(connector, HEAD, ref, timeout=20)
    head = connector.user(HEAD)
    assert [c for c in connector.calls("create") if c.conversation == head.conversation]
    assert (
        server.scalar(
            f"select dm_channel from chat_identity where email = '{HEAD}' and channel = 'teams'"
        )
        == head.conversation
    )
    assert click(teams, HEAD, card, "Acknowledge").status_code == 200
    updated_in_place(connector, card, timeout=15)
    card_about(connector, TEACHER, "was acknowledged", timeout=10)
    assert server.scalar(f"select status from misuse_report where ref = '{ref}'") == "acknowledged"
