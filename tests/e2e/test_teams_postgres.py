# End to end on Teams with PostgreSQL: a report made on Teams reaches a Headteacher who never
# wrote to the bot (a new 1:1 chat by their teams_id), is acknowledged there, and the card is
# updated in place; conversation references and the outbox live in a fresh PostgreSQL database.
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.harness import SAMPLE, BotServer
from tests.e2e.test_teams import on_teams
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_requests import TeamsRequests, click, submit
from tests.integration.conftest import POSTGRES, fresh_postgres, postgres_reachable

TEACHER = "d.hughes@willow.example"
HEAD = "s.thompson@willow.example"


@pytest.fixture(scope="module")
def connector(request: pytest.FixtureRequest) -> Iterator[FakeBotConnector]:
    with FakeBotConnector() as fake:
        fake.add_user(TEACHER, "David Hughes")
        fake.add_user(HEAD, "Sarah Thompson")
        yield fake
        fake.keep_capture(request.module.__name__)


@pytest.fixture(scope="module")
def server(
    fake_slack: FakeSlack, connector: FakeBotConnector, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotServer]:
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth)")
    url, drop = fresh_postgres(POSTGRES)
    bot = BotServer(
        tmp_path_factory.mktemp("teams-pg"),
        fake_slack,
        database_url=url,
        extra_env=connector.env(),
        slack=False,
    )
    try:
        bot.directory_file.write_text(SAMPLE.read_text())
        on_teams(bot.directory_file, connector, HEAD)
        bot.cli("db", "upgrade")
        bot.start()
        yield bot
    finally:
        bot.stop()
        drop()  # type: ignore[operator]


def test_a_report_on_teams_is_acknowledged_on_teams_with_postgresql(
    server: BotServer, connector: FakeBotConnector
) -> None:
    teams = TeamsRequests(server.url, connector)
    teams.install(TEACHER)
    teams.message(TEACHER, "report misuse")
    form = connector.wait_for(lambda c: c.cards_to(TEACHER))[-1]
    answers = {
        "category": "pupil_misuse",
        "subject_name": "A pupil in Year 5",
        "platform": "Instagram",
        "description": "Unkind posts about a pupil.",
    }
    response = submit(teams, TEACHER, form, answers)
    assert response.status_code == 200, response.text
    match = re.search(r"MR-\d{4}-\d{4}", str(response.json()["value"]))
    assert match, response.json()
    ref = match.group(0)

    card = connector.wait_for(lambda c: [k for k in c.cards_to(HEAD) if ref in str(k)], 20)[-1]
    head = connector.user(HEAD)
    assert [c for c in connector.calls("create") if c.conversation == head.conversation]
    assert (
        server.scalar(
            f"select dm_channel from chat_identity where email = '{HEAD}' and channel = 'teams'"
        )
        == head.conversation
    )
    assert click(teams, HEAD, card, "Acknowledge").status_code == 200
    connector.wait_for(
        lambda c: [
            u for u in c.calls("update") if u.activity_id == card["_id"] and u.status == 200
        ],
        timeout=15,
    )
    connector.wait_for(lambda c: [k for k in c.cards_to(TEACHER) if "was acknowledged" in str(k)])
    assert server.scalar(f"select status from misuse_report where ref = '{ref}'") == "acknowledged"
