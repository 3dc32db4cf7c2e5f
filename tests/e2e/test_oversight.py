# End to end: the weekly oversight digests from the scheduler inside the real server, once per
# person and week however often the server restarts.
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.directory import load_directory
from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.fakes.slack_api import FakeSlack

DIRECTORY = load_directory(SAMPLE)
HEADS = {e for s in DIRECTORY.sites for e in s.headteacher}
TRUST_WIDE = set(DIRECTORY.holders("elt")) | set(DIRECTORY.holders("head_of_comms"))
TEACHER = "c.evans@riverside.example"


@pytest.fixture
def digesting(tmp_path: Path) -> Iterator[tuple[BotServer, People, FakeSlack]]:
    """A server whose working day never ends, with the weekly digests on."""
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        server = BotServer(
            tmp_path,
            fake,
            extra_env={
                "WEEKLY_DIGESTS": "true",
                "WORKING_HOURS": "00:00-24:00",
                "WORKING_DAYS": "mon-sun",
                "SCHEDULER_TICK_SECONDS": "0.3",
            },
        ).start()
        try:
            yield server, People(server, fake, seed_users(fake, Path(SAMPLE))), fake
        finally:
            server.stop()


def digests(fake: FakeSlack, people: People, email: str) -> list[dict]:
    return [m for m in fake.messages_to(people.uid(email)) if "summary for" in m.get("text", "")]


def test_each_overseer_gets_one_digest_a_week_across_restarts(
    digesting: tuple[BotServer, People, FakeSlack],
) -> None:
    server, people, fake = digesting
    everyone = HEADS | TRUST_WIDE
    fake.wait_for(lambda f: all(digests(f, people, e) for e in everyone), timeout=20)
    riverside = digests(fake, people, "a.fletcher@riverside.example")
    assert [m["text"] for m in riverside] == [
        "Weekly summary for Riverside Academy: reports, approvals, declarations, training and "
        "policy"
    ]
    trust = str(digests(fake, people, "h.whitfield@trust.example")[0]["blocks"])
    assert "By site" in trust and "Riverside" in trust
    assert not digests(fake, people, TEACHER)  # staff get none
    server.stop()
    server.start()
    time.sleep(3)  # several ticks of the restarted scheduler
    assert all(len(digests(fake, people, e)) == 1 for e in everyone)
    assert server.scalar("SELECT count(*) FROM job_run WHERE name = 'oversight digests'") == 1
