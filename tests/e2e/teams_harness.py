# The Teams side of the e2e harness: a Trust's Teams set-up, its server, and people's cards.
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.harness import SAMPLE, BotServer
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_requests import TeamsRequests


@dataclass(frozen=True)
class TeamsTrust:
    """How a Teams test module sets up its Trust: the module overrides the `teams_trust`
    fixture (tests/e2e/conftest.py) with one of these, and `connector`, `server` and `teams`
    follow it."""

    people: Mapping[str, str]  # e-mail -> name: the fake connector's users
    not_installed: tuple[str, ...] = ()  # users who have not installed the app yet
    on_teams: tuple[str, ...] = ()  # given `channel: teams` and their Teams id in the directory
    installed: tuple[str, ...] = ()  # have opened the app before the tests: their chats are known
    slack: bool = True  # False: a Teams-only Trust (no Slack settings at all)
    auth: bool = False  # signed inbound requests and the bot's own token outbound
    env: Mapping[str, str] = field(default_factory=dict)  # more settings of the server


def add_people(connector: FakeBotConnector, trust: TeamsTrust) -> None:
    for email, name in trust.people.items():
        connector.add_user(email, name, installed=email not in trust.not_installed)


def on_teams(directory: Path, connector: FakeBotConnector, *emails: str) -> None:
    """Give these people `channel: teams` and their Teams id in the directory file."""
    text = directory.read_text()
    for email in emails:
        extra = f"channel: teams, teams_id: '{connector.user(email).user_id}'"
        text = re.sub(r"(\{email: " + re.escape(email) + r", [^}]*?)\}", rf"\1, {extra}}}", text)
    directory.write_text(text)


@contextmanager
def teams_server(
    workdir: Path,
    fake_slack: FakeSlack,
    connector: FakeBotConnector,
    trust: TeamsTrust,
    *,
    env: Mapping[str, str] | None = None,
    database_url: str | None = None,
) -> Iterator[BotServer]:
    """The real server for `trust`, using `connector`, on the sample directory (with its
    `on_teams` people), stopped afterwards. A PostgreSQL `database_url` is upgraded first."""
    bot = BotServer(
        workdir,
        fake_slack,
        database_url=database_url,
        extra_env=connector.env() | dict(trust.env) | dict(env or {}),
        slack=trust.slack,
    )
    try:
        bot.directory_file.write_text(SAMPLE.read_text())
        on_teams(bot.directory_file, connector, *trust.on_teams)
        if database_url:
            bot.cli("db", "upgrade")
        bot.start()
        yield bot
    finally:
        bot.stop()


def teams_requests(
    server: BotServer, connector: FakeBotConnector, trust: TeamsTrust
) -> TeamsRequests:
    """Teams posting to `server`, once `trust.installed` people have opened the app."""
    teams = TeamsRequests(server.url, connector, signed=trust.auth)
    for email in trust.installed:
        teams.install(email)
    return teams


def reply_card(teams: TeamsRequests, email: str, text: str) -> dict[str, Any]:
    """Write `text` to the bot as this person; the card it answers with."""
    before = len(teams.connector.cards_to(email))
    response = teams.message(email, text)
    assert response.status_code in (200, 202), response.text
    return teams.connector.wait_for(lambda c: c.cards_to(email)[before:])[-1]


def cards_about(connector: FakeBotConnector, email: str, words: str) -> list[dict[str, Any]]:
    """The cards delivered to this person that contain `words`, as they look now."""
    return [k for k in connector.cards_to(email) if words in str(k)]


def card_about(
    connector: FakeBotConnector, email: str, words: str, timeout: float = 15
) -> dict[str, Any]:
    """Wait for a card to this person containing `words`; the latest such card."""
    return connector.wait_for(lambda c: cards_about(c, email, words), timeout=timeout)[-1]


def sent_ref(response: httpx.Response, prefix: str) -> str:
    """The reference (`prefix`-YYYY-NNNN) in the card a form submission was answered with."""
    assert response.status_code == 200, response.text
    match = re.search(prefix + r"-\d{4}-\d{4}", str(response.json()["value"]))
    assert match, response.json()
    return match.group(0)


def updated_in_place(
    connector: FakeBotConnector, card: Mapping[str, Any], containing: str = "", timeout: float = 10
) -> list[Any]:
    """Wait until the connector has accepted an update of this delivered card (whose body
    contains `containing`); those updates."""
    return connector.wait_for(
        lambda c: [
            u
            for u in c.calls("update")
            if u.activity_id == card["_id"] and u.status == 200 and containing in str(u.body)
        ],
        timeout=timeout,
    )
