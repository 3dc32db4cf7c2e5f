# Fixtures for end-to-end tests: fake Slack on loopback and the real server in a subprocess.
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.fakes.slack_api import FakeSlack


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
def server(fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    bot = BotServer(tmp_path_factory.mktemp("bot"), fake_slack).start()
    yield bot
    bot.stop()


@pytest.fixture(scope="module")
def people(server: BotServer, fake_slack: FakeSlack) -> People:
    return People(server, fake_slack, seed_users(fake_slack, Path(SAMPLE)))
