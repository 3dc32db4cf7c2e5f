# End to end: at start the server asks Slack which scopes the installed app holds (auth.test's
# X-OAuth-Scopes) and says, in its log, which one is missing, what fails without it and how to
# put it right; with every scope, it says so. Either way it serves.
from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.e2e.harness import BotServer
from tests.fakes.slack_api import FakeSlack, manifest_scopes


def logged(server: BotServer, words: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while words not in server.log():
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.1)
    return server.log()


def test_a_missing_scope_is_named_with_what_fails_and_how_to_fix_it(tmp_path: Path) -> None:
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        fake.scopes = [s for s in manifest_scopes() if s != "files:read"]
        server = BotServer(tmp_path, fake).start()
        try:
            log = logged(server, "lacks the files:read scope")
            assert "screenshots given in /abuse-log cannot be fetched" in log
            assert "reinstall the app" in log and "holds every scope" not in log
            assert httpx.get(server.url + "/healthz").json()["status"] == "ok"
        finally:
            server.stop()
    assert "auth.test" in {c["method"] for c in fake.calls()}


def test_an_app_with_every_scope_is_said_to_hold_them(tmp_path: Path) -> None:
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        server = BotServer(tmp_path, fake).start()
        try:
            log = logged(server, "Slack: the installed app holds every scope it needs")
            assert "lacks the" not in log
        finally:
            server.stop()
