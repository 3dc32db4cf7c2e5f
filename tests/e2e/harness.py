# The real server in a subprocess, and a driver that uses it as people would, through fake Slack.
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy

from bot.directory import load_directory
from storage.engine import sync_url
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_requests import SlackRequests, find_button

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "directory.yml"
CONSENT_EXAMPLE = ROOT / "examples" / "consent-willow.csv"
SECRET = "e2e-signing-secret"
TOKEN = "xoxb-e2e"
STRANGER = ("stranger@elsewhere.example", "U0STRANGER")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def slack_id(email: str, given: str | None) -> str:
    return given or "U1" + hashlib.sha1(email.encode()).hexdigest()[:8].upper()


def seed_users(fake: FakeSlack, directory_path: Path) -> dict[str, str]:
    """Every directory person, and one stranger, as Slack users; returns e-mail -> user id."""
    directory = load_directory(directory_path)
    ids = {}
    for person in directory.people:
        ids[person.email] = slack_id(person.email, person.slack_id)
        fake.add_user(person.email, ids[person.email], person.name)
    fake.add_user(*STRANGER, "Stranger")
    return ids


@dataclass
class BotServer:
    """`policybot serve` as a child process on a free port, with its own database."""

    workdir: Path
    fake: FakeSlack
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    slack: bool = True  # False: a Teams-only Trust (no Slack settings at all)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def directory_file(self) -> Path:
        return self.workdir / "directory.yml"

    @property
    def log_file(self) -> Path:
        return self.workdir / "server.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE"))}
        env |= {
            "DATABASE_URL": self.database_url or f"sqlite:///{self.workdir / 'policybot.db'}",
            "DIRECTORY_FILE": str(self.directory_file),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.fake.api_url,
            "OUTBOX_POLL_SECONDS": "0.2",
            "OUTBOX_RETRY_BASE_SECONDS": "0.2",
            "OUTBOX_RETRY_MAX_SECONDS": "1",
            "OUTBOX_LEASE_SECONDS": "2",
            "SCHEDULER_TICK_SECONDS": "0.5",
            "WEEKLY_DIGESTS": "false",  # on in the tests of the digest only
            "LOG_LEVEL": "INFO",
        }
        if not self.slack:
            env = {k: v for k, v in env.items() if not k.startswith("SLACK_")}
        return env | self.extra_env

    def start(self) -> BotServer:
        if not self.directory_file.exists():
            shutil.copy(SAMPLE, self.directory_file)
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=self.workdir,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_file.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not become healthy:\n{self.log_file.read_text()}")

    def kill(self) -> None:
        """Stop at once, as a crash would (no shutdown handlers run)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def scalar(self, sql: str) -> object:
        """One value from the server's database (for asserting that nothing changed)."""
        engine = sqlalchemy.create_engine(sync_url(self.env()["DATABASE_URL"]))
        try:
            with engine.connect() as connection:
                return connection.execute(sqlalchemy.text(sql)).scalar()
        finally:
            engine.dispose()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`policybot ARGS` against this server's database and directory (checked)."""
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.workdir,
            env=self.env(),
            check=True,
            capture_output=True,
            text=True,
        )

    def import_consent(self, path: Path = CONSENT_EXAMPLE, site: str = "willow") -> None:
        """Load a consent register with the real import command."""
        self.cli("consent", "import", str(path), "--site", site)

    def pupil_id(self, mis_id: str) -> str:
        return str(self.scalar(f"SELECT id FROM pupil WHERE mis_id = '{mis_id}'"))


class People:
    """Drives the bot as the people of the sample trust would, by e-mail."""

    def __init__(self, server: BotServer, fake: FakeSlack, ids: dict[str, str]) -> None:
        self.server, self.fake, self.ids = server, fake, ids
        self.slack = SlackRequests(server.url, SECRET, fake=fake)

    def uid(self, email: str) -> str:
        return self.ids.get(email) or STRANGER[1]

    def command(self, email: str, command: str, text: str = "") -> httpx.Response:
        response = self.slack.command(self.uid(email), command, text)
        assert response.status_code == 200, response.text
        return response

    def open_form(
        self, email: str, command: str = "/report-misuse", text: str = ""
    ) -> dict[str, Any]:
        before = len(self.fake.calls("views.open"))
        self.command(email, command, text)
        self.fake.wait_for(lambda f: len(f.calls("views.open")) > before)
        view = self.fake.last_view_opened()
        assert view is not None
        return view

    def submit(self, email: str, view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
        response = self.slack.view_submission(self.uid(email), view, answers)
        assert response.status_code == 200, response.text
        return response.json() if response.content else {}

    def report(self, email: str, **answers: Any) -> str:
        """Make a report through the form; returns its reference."""
        defaults = {
            "category": "pupil_misuse",
            "platform": "Instagram",
            "happened_on": "2026-11-20",
            "description": "Unkind posts about a pupil.",
        }
        view = self.open_form(email)
        reply = self.submit(email, view, defaults | answers)
        assert reply.get("response_action") == "update", reply
        text = str(reply["view"]["blocks"][0]["text"]["text"])
        match = re.search(r"MR-\d{4}-\d{4}", text)
        assert match, text
        return match.group(0)

    def cards(self, email: str, ref: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.fake.messages_to(self.uid(email))
            if ref in m.get("text", "") or ref in str(m.get("blocks"))
        ]

    def card(self, email: str, ref: str, *, containing: str = "", timeout: float = 10) -> dict:
        """Wait for the DM about `ref` (whose text contains `containing`) and return it."""

        def found(_: FakeSlack) -> dict[str, Any] | None:
            return next((m for m in self.cards(email, ref) if containing in str(m)), None)

        return self.fake.wait_for(found, timeout=timeout)

    def modal_after_click(self, email: str, message: dict[str, Any], button: str) -> dict:
        """Click a button that opens a form; returns the form."""
        before = len(self.fake.calls("views.open"))
        self.click(email, message, button)
        self.fake.wait_for(lambda f: len(f.calls("views.open")) > before)
        view = self.fake.last_view_opened()
        assert view is not None
        return view

    def told(self, email: str, words: str) -> str:
        """Wait for a private (ephemeral) message to this person containing `words`."""
        found = self.fake.wait_for(
            lambda f: [e for e in f.ephemerals_to(self.uid(email)) if words in e["text"]]
        )
        return str(found[-1]["text"])

    def click(self, email: str, message: dict[str, Any], button: str) -> httpx.Response:
        target = find_button(message, button)
        response = self.slack.block_action(
            self.uid(email),
            target["action_id"],
            channel_id=message["channel"],
            message_ts=message["ts"],
            message=message,
        )
        assert response.status_code == 200, response.text
        return response
