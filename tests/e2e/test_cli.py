# The command line as an IT person uses it: help, check, and the outbox's dead letters.
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import SAMPLE


def policybot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["check"],
        ["db", "upgrade"],
        ["outbox", "list"],
        ["outbox", "retry"],
        ["retention", "run"],
    ],
)
def test_every_command_has_help(command: list[str], tmp_path: Path) -> None:
    result = policybot(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "Usage: policybot" in result.stdout


def test_check_passes_on_the_sample(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    result = policybot("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "Slack is off" in result.stdout


def test_check_names_every_problem_and_its_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=99999\nTIMEZONE=Mars/Olympus\nSLACK_BOT_TOKEN=xoxb-1\n")
    broken = SAMPLE.read_text().replace(
        "headteacher: [s.thompson@willow.example]", "headteacher: [nobody@willow.example]", 1
    )
    (tmp_path / "directory.yml").write_text(broken)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "nobody@" in text)
    result = policybot("check", cwd=tmp_path)
    assert result.returncode == 1
    assert ".env:1: PORT" in result.stderr and ".env:2: TIMEZONE" in result.stderr
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert f"directory.yml:{line}:" in result.stderr and "nobody@willow.example" in result.stderr
    assert "4 problem(s) found" in result.stderr


def test_dead_letters_can_be_listed_and_retried(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    assert policybot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    with sqlite3.connect(tmp_path / "bot.db") as db:
        db.execute(
            "INSERT INTO outbox_message (key, recipient, replace, payload, status, attempts, "
            "next_attempt_at, created_at, last_error) VALUES ('k', 'x@willow.example', 0, '{}', "
            "'dead', 12, '2026-11-24 10:00:00', '2026-11-24 10:00:00', 'users_not_found')"
        )
    listed = policybot("outbox", "list", cwd=tmp_path, env=env)
    assert "dead #1 to x@willow.example after 12 attempt(s): users_not_found" in listed.stdout
    retried = policybot("outbox", "retry", "1", "7", cwd=tmp_path, env=env)
    assert "#1: queued again" in retried.stdout and "#7: not a dead message" in retried.stdout
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT status FROM outbox_message").fetchone() == ("pending",)


def test_serve_refuses_a_broken_directory_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "directory.yml").write_text("trust: [\n")
    result = policybot("serve", cwd=tmp_path, env={"PORT": "3997"})
    assert result.returncode == 1 and "directory.yml:" in result.stderr


def test_check_warns_when_e_mail_is_off_but_passes(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    result = policybot("check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: E-mail is off: relationship declarations are recorded" in result.stderr
    assert "set GRAPH_MAILBOX (with the app's id, secret and tenant) or SMTP_HOST" in result.stderr
    assert "e-mail is off" in result.stdout and "error" not in result.stderr


def test_check_says_which_mailer_is_on(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    env = {"SMTP_HOST": "smtp.trust.example", "SMTP_FROM": "policybot@trust.example"}
    result = policybot("check", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "e-mail via SMTP" in result.stdout and "E-mail is off" not in result.stderr


def test_check_names_what_half_set_e_mail_lacks(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "directory.yml")
    (tmp_path / ".env").write_text(
        "GRAPH_MAILBOX=policybot@trust.example\nGRAPH_CLIENT_ID=app\nSMTP_USERNAME=bot\n"
    )
    result = policybot("check", cwd=tmp_path)
    assert result.returncode == 1
    for variable in ("GRAPH_CLIENT_SECRET", "GRAPH_TENANT_ID"):
        assert f".env:1: {variable}: is not set, but GRAPH_MAILBOX is" in result.stderr
    assert ".env:3: SMTP_PASSWORD: is not set, but SMTP_USERNAME is" in result.stderr
    assert "3 problem(s) found" in result.stderr
