# End to end: /training (status, recording a completion, its errors), the import command with
# line numbers, a refresher campaign started by the Head of Comms and refused to a teacher, and
# its progress, which only the Head of Comms sees (rule T1).
from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.directory import load_directory
from bot.training.model import add_months
from tests.e2e.harness import ROOT, SAMPLE, STRANGER, BotServer, People
from tests.fakes.slack_api import FakeSlack

COMMAND = "/training"
EXPORT = ROOT / "examples" / "training-export.csv"
COMMS = "h.whitfield@trust.example"
TEACHER = "l.barnes@willow.example"  # never trained
EXPIRED = "d.hughes@willow.example"  # trained on 30 Jun 2025 in the example export
HEAD = "s.thompson@willow.example"  # trained on 7 Sep 2026
RIVERSIDE = ("a.fletcher@riverside.example", "c.evans@riverside.example")
OAKFIELD = "m.obrien@oakfield.example"


def today() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def pretty(day: date) -> str:
    return day.strftime("%d %b %Y").lstrip("0")


def run_cli(server: BotServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=server.workdir,
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def reply_to(people: People, fake: FakeSlack, email: str, text: str = "") -> dict[str, Any]:
    """What `/training TEXT` answers this person privately (through its response URL)."""
    people.command(email, COMMAND, text)
    name = people.slack.last_response_url.rsplit("/", 1)[-1]  # type: ignore[union-attr]
    return fake.wait_for(lambda f: f.responses(name))[-1]


def click_for_form(people: People, fake: FakeSlack, email: str, message: dict) -> dict:
    """Press a button of a private reply or a DM, and return the form it opens."""
    before = len(fake.calls("views.open"))
    uid = people.uid(email)
    response = people.slack.block_action(
        uid,
        "training_record_open",
        channel_id=message.get("channel") or fake.dm_channel(uid),
        message_ts=message.get("ts") or "1.000001",
        message=message,
    )
    assert response.status_code == 200
    fake.wait_for(lambda f: len(f.calls("views.open")) > before)
    view = fake.last_view_opened()
    assert view is not None
    return view


@pytest.fixture(scope="module", autouse=True)
def imported(server: BotServer) -> subprocess.CompletedProcess[str]:
    """The example export with three rows that can't be taken, through the real command."""
    export = server.workdir / "training.csv"
    export.write_text(
        EXPORT.read_text(encoding="utf-8")
        + "stranger@elsewhere.example,,2026-09-01,\n"
        + f"{TEACHER},,2099-01-01,\n"
        + f"{TEACHER},,the first of May,\n",
        encoding="utf-8",
    )
    return run_cli(server, "training", "import", str(export))


def test_the_import_lists_refusals_by_line_and_adds_nothing_twice(
    imported: subprocess.CompletedProcess[str], server: BotServer
) -> None:
    assert imported.returncode == 0, imported.stderr
    out = imported.stdout.splitlines()
    assert out[0] == "Added 11, unchanged 0, refused 3"
    assert (
        out[1]
        == "line 13: unknown e-mail stranger@elsewhere.example: nobody in the directory has it"
    )
    assert out[2] == "line 14: completed_on 2099-01-01 is in the future"
    assert out[3].startswith("line 15: completed_on 'the first of May' is not a date")
    assert "Reading training.csv" in imported.stderr, "a progress bar on stderr"
    again = run_cli(server, "training", "import", str(server.workdir / "training.csv"))
    assert again.returncode == 0 and again.stdout.splitlines()[0] == (
        "Added 0, unchanged 11, refused 3"
    )
    dry = run_cli(server, "training", "import", "--dry-run", str(EXPORT))
    assert dry.stdout.splitlines()[:2] == [
        "Dry run: nothing was changed. The file would give:",
        "Added 0, unchanged 11, refused 0",
    ]
    assert server.scalar("SELECT count(*) FROM training_completion") == 11


def test_an_unreadable_export_changes_nothing(server: BotServer) -> None:
    broken = server.workdir / "broken.csv"
    broken.write_text("name,when\nDan,2026-11-02\n", encoding="utf-8")
    result = run_cli(server, "training", "import", str(broken))
    assert result.returncode == 1
    assert "Missing columns: email, completed_on" in result.stderr
    assert "Nothing was changed" in result.stderr and "Traceback" not in result.stderr
    help_text = run_cli(server, "training", "import", "--help").stdout
    assert "Usage: policybot training import" in help_text and "--dry-run" in help_text


def test_training_shows_never_due_or_trained(people: People, fake_slack: FakeSlack) -> None:
    never = reply_to(people, fake_slack, TEACHER)
    assert never["response_type"] == "ephemeral"
    assert "Never: no training on record" in str(never["blocks"])
    expired = str(reply_to(people, fake_slack, EXPIRED)["blocks"])
    assert "Due now: trained on 30 Jun 2025, expired on 30 Jun 2026" in expired
    assert "from the training platform" in expired
    head = str(reply_to(people, fake_slack, HEAD)["blocks"])
    assert "Trained on 7 Sep 2026, valid until 7 Sep 2027" in head
    assert "learning.example/certificates/1001" in head
    stranger = people.slack.command(STRANGER[1], COMMAND)
    assert stranger.status_code == 200
    answer = fake_slack.wait_for(
        lambda f: f.responses(people.slack.last_response_url.rsplit("/", 1)[-1])  # type: ignore[union-attr]
    )
    assert "can't find your account" in answer[-1]["text"]


def test_recording_a_completion_from_the_status(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    status = reply_to(people, fake_slack, TEACHER)
    view = click_for_form(people, fake_slack, TEACHER, status)
    assert view["callback_id"] == "training_record"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "completed_on",
        "certificate_url",
    ], "a teacher cannot record for someone else"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    bad = people.submit(TEACHER, view, {"completed_on": tomorrow, "certificate_url": "lms/1"})
    assert bad["response_action"] == "errors"
    assert bad["errors"] == {
        "completed_on": "Please choose a date that is not in the future.",
        "certificate_url": "Please paste the whole link, starting with https://, or leave this "
        "empty.",
    }
    done = people.submit(
        TEACHER, view, {"certificate_url": "https://learning.example/certificates/2001"}
    )
    assert done["response_action"] == "update", done
    text = str(done["view"]["blocks"])
    assert f"your training on {pretty(today())} is recorded" in text
    assert f"valid until {pretty(add_months(today(), 12))}" in text
    assert (
        server.scalar(f"SELECT source FROM training_completion WHERE email = '{TEACHER}'") == "chat"
    )
    now = str(reply_to(people, fake_slack, TEACHER)["blocks"])
    assert f"Trained on {pretty(today())}" in now and "recorded by you" in now
    opened = len(fake_slack.calls("views.open"))
    people.command(TEACHER, COMMAND, "record")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > opened)
    again = people.submit(TEACHER, fake_slack.last_view_opened() or {}, {})
    assert "That was already on record" in str(again["view"]["blocks"])
    assert server.scalar(f"SELECT count(*) FROM training_completion WHERE email = '{TEACHER}'") == 1


def test_a_campaign_is_for_the_head_of_comms_only(
    people: People, fake_slack: FakeSlack, server: BotServer
) -> None:
    opened = len(fake_slack.calls("views.open"))
    refused = reply_to(people, fake_slack, RIVERSIDE[1], "campaign")
    assert refused["text"] == "Only the Head of Communications can start a refresher campaign."
    assert len(fake_slack.calls("views.open")) == opened, "no form for a teacher"

    people.command(COMMS, COMMAND, "campaign")
    fake_slack.wait_for(lambda f: len(f.calls("views.open")) > opened)
    form = fake_slack.last_view_opened()
    assert form is not None and form["callback_id"] == "training_campaign"
    deadline = (today() + timedelta(days=14)).isoformat()
    answers = {"scope": "riverside", "deadline": deadline, "reason": "A change to section 3."}
    people.slack.view_submission(people.uid(RIVERSIDE[0]), form, answers)  # a forged submission
    assert server.scalar("SELECT count(*) FROM training_campaign") == 0
    done = people.submit(COMMS, form, answers)
    assert done["response_action"] == "update", done
    text = str(done["view"]["blocks"])
    ref = re.search(r"TC-\d{4}-\d{4}", text)
    told = len(load_directory(SAMPLE).site("riverside").members)  # type: ignore[union-attr]
    assert ref and "everyone at Riverside Academy" in text
    assert f"{told} people have been told" in text
    assert people.submit(COMMS, form, answers)["response_action"] == "update"
    assert server.scalar("SELECT count(*) FROM training_campaign") == 1

    for email in RIVERSIDE:
        told = people.card(email, "Refresher social media training", containing="I've done it")
        assert "A change to section 3." in str(told["blocks"])
    assert not [
        m
        for m in fake_slack.messages_to(people.uid(OAKFIELD))
        if "Refresher social media training" in str(m)
    ], "Oakfield is not in scope"
    status = str(reply_to(people, fake_slack, RIVERSIDE[0])["blocks"])
    assert "Due now: refresher training asked for by" in status, "trained, but asked again"

    dm = people.card(RIVERSIDE[1], "Refresher social media training", containing="I've done it")
    view = click_for_form(people, fake_slack, RIVERSIDE[1], dm)
    assert people.submit(RIVERSIDE[1], view, {})["response_action"] == "update"


def test_progress_is_visible_only_to_the_head_of_comms(
    people: People, fake_slack: FakeSlack
) -> None:
    for email in (RIVERSIDE[0], HEAD):
        answer = reply_to(people, fake_slack, email, "progress")
        assert answer["text"] == (
            "Only the Head of Communications can see the Trust's training progress."
        )
    progress = str(reply_to(people, fake_slack, COMMS, "progress")["blocks"])
    assert "Social media training across the Trust" in progress
    assert "Riverside Academy" in progress and "Refresher TC-" in progress
    riverside = len(load_directory(SAMPLE).site("riverside").members)  # type: ignore[union-attr]
    assert f"1 of {riverside} done, {riverside - 1} not" in progress, "Chloe Evans has done it"
    assert "Andrew Fletcher" in progress, "named as not done"

    for email in (COMMS, RIVERSIDE[0]):
        people.slack.app_home_opened(people.uid(email))
    home = fake_slack.wait_for(
        lambda f: (v := f.home_view(people.uid(COMMS))) and "across the Trust" in str(v) and v
    )
    assert "Refresher TC-" in str(home)
    teacher = fake_slack.wait_for(
        lambda f: (
            (v := f.home_view(people.uid(RIVERSIDE[0]))) and "Your social media" in str(v) and v
        )
    )
    assert "across the Trust" not in str(teacher) and "Refresher TC-" not in str(teacher)
    assert "I've done it" in str(teacher) or "Record a completion" in str(teacher)


def test_help_lists_training(people: People) -> None:
    help_text = str(people.command(TEACHER, "/policybot").json())
    assert "/training" in help_text
    assert "`/training campaign`" in str(people.command(COMMS, "/policybot").json())
