# End to end: `policybot serve --socket-mode` takes a slash command over Slack's WebSocket.
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.harness import SAMPLE, BotServer, seed_users
from tests.fakes.slack_api import APP_TOKEN, FakeSlack


def test_socket_mode_opens_the_report_form(tmp_path: Path) -> None:
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        ids = seed_users(fake, Path(SAMPLE))
        server = BotServer(tmp_path, fake, extra_env={"SLACK_APP_TOKEN": APP_TOKEN})
        shutil.copy(SAMPLE, server.directory_file)
        log = server.log_file.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--socket-mode"],
            cwd=tmp_path,
            env=server.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            fake.wait_for(lambda f: f.socket_connected(), timeout=30)
            user = ids["d.hughes@willow.example"]
            envelope = fake.socket_send(
                "slash_commands",
                {
                    "command": "/report-misuse",
                    "text": "",
                    "user_id": user,
                    "user_name": "dan",
                    "team_id": "T0001",
                    "channel_id": "D" + user,
                    "trigger_id": "1.2.socket",
                    "response_url": fake.response_url("socket"),
                    "api_app_id": "A0001",
                },
            )
            fake.wait_for(lambda f: any(a.get("envelope_id") == envelope for a in f.socket_acks()))
            opened = fake.wait_for(lambda f: f.calls("views.open"))
            assert opened[0]["args"]["view"]["callback_id"] == "report_misuse"
        finally:
            process.terminate()
            process.wait(10)
        assert "Socket Mode connected" in server.log()


def test_socket_mode_needs_an_app_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--socket-mode"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "SLACK_APP_TOKEN" in result.stderr
