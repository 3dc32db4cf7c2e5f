# Fixtures for end-to-end tests: fake Slack (and, for Teams modules, a fake Bot Connector) on
# loopback, and the real server in a subprocess.
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.e2e.teams_harness import TeamsTrust, add_people, teams_requests, teams_server
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_requests import TeamsRequests


@pytest.fixture(scope="module")
def fake_slack(request: pytest.FixtureRequest) -> Iterator[FakeSlack]:
    """Fake Slack; with SLACK_CAPTURE_DIR set, every call the bot made is kept there as JSON
    lines for the vendors' Block Kit validator (see README, Development)."""
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        yield fake
        capture = os.environ.get("SLACK_CAPTURE_DIR")
        if capture:
            fake.dump(Path(capture) / f"{request.module.__name__.rsplit('.', 1)[-1]}.jsonl")


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust | None:
    """None: a Slack-only Trust. A Teams module overrides this with its TeamsTrust."""
    return None


@pytest.fixture(scope="module")
def connector(
    request: pytest.FixtureRequest, teams_trust: TeamsTrust | None
) -> Iterator[FakeBotConnector]:
    """The fake Bot Connector with the Trust's Teams users; with TEAMS_CAPTURE_DIR set, what
    the bot sent is kept there for the vendors' validators (FakeBotConnector.keep_capture)."""
    assert teams_trust is not None, "override the teams_trust fixture to use Teams"
    with FakeBotConnector(auth=teams_trust.auth) as fake:
        add_people(fake, teams_trust)
        yield fake
        fake.keep_capture(request.module.__name__)


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest,
    fake_slack: FakeSlack,
    teams_trust: TeamsTrust | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotServer]:
    """The server on Slack, or, when the module sets a TeamsTrust, as that Trust says."""
    if teams_trust is None:
        bot = BotServer(tmp_path_factory.mktemp("bot"), fake_slack).start()
        yield bot
        bot.stop()
        return
    connector: FakeBotConnector = request.getfixturevalue("connector")
    workdir = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    with teams_server(workdir, fake_slack, connector, teams_trust) as bot:
        yield bot


@pytest.fixture(scope="module")
def teams(
    server: BotServer, connector: FakeBotConnector, teams_trust: TeamsTrust | None
) -> TeamsRequests:
    """Teams posting to the server as the connector's users would."""
    assert teams_trust is not None, "override the teams_trust fixture to use Teams"
    return teams_requests(server, connector, teams_trust)


@pytest.fixture(scope="module")
def people(server: BotServer, fake_slack: FakeSlack) -> People:
    return People(server, fake_slack, seed_users(fake_slack, Path(SAMPLE)))
