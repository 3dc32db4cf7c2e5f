# End to end: Slack failing or the server dying delays messages but never loses or repeats them.
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.fakes.slack_api import FakeSlack

TEACHER = "b.carter@riverside.example"
HEAD = "a.fletcher@riverside.example"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[BotServer, People, FakeSlack]]:
    """A server and fake Slack of this test's own, as each test breaks them."""
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        server = BotServer(tmp_path, fake).start()
        try:
            yield server, People(server, fake, seed_users(fake, Path(SAMPLE))), fake
        finally:
            server.stop()


def posts_to(fake: FakeSlack, people: People, email: str, ref: str) -> list[dict]:
    dm = (people.uid(email), fake.dm_channel(people.uid(email)))  # a user id opens the DM
    return [
        c
        for c in fake.calls("chat.postMessage")
        if c["args"].get("channel") in dm and ref in str(c["args"])
    ]


@pytest.mark.parametrize("status", [500, 429])
def test_slack_errors_delay_the_message_until_slack_recovers(
    fresh: tuple[BotServer, People, FakeSlack], status: int
) -> None:
    server, people, fake = fresh
    fake.fail_next("chat.postMessage", status=status, times=3, retry_after=1)
    ref = people.report(TEACHER)
    people.card(HEAD, ref, containing="Acknowledge", timeout=20)
    people.card(TEACHER, ref, containing="received", timeout=20)
    assert len(fake.failed_calls("chat.postMessage")) == 3
    time.sleep(1)
    assert len(posts_to(fake, people, HEAD, ref)) == 1
    assert server.scalar("SELECT count(*) FROM outbox_message WHERE status != 'sent'") == 0


def test_a_message_that_keeps_failing_is_dead_lettered_for_an_admin(
    fresh: tuple[BotServer, People, FakeSlack],
) -> None:
    server, people, fake = fresh
    server.stop()
    server.extra_env["OUTBOX_MAX_ATTEMPTS"] = "3"
    server.start()
    fake.fail_next("chat.postMessage", status=500, times=10_000)
    people.report(TEACHER)
    deadline = time.monotonic() + 60
    while server.scalar("SELECT count(*) FROM outbox_message WHERE status = 'dead'") < 2:
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.2)
    assert "dead-lettered" in server.log()


def test_killed_after_recording_loses_nothing(fresh: tuple[BotServer, People, FakeSlack]) -> None:
    server, people, fake = fresh
    fake.fail_next("chat.postMessage", status=503, times=10_000)
    ref = people.report(TEACHER)
    fake.wait_for(lambda f: f.failed_calls("chat.postMessage"))
    server.kill()
    fake.clear_faults()
    server.start()
    people.card(HEAD, ref, containing="Acknowledge", timeout=20)
    people.card(TEACHER, ref, containing="received", timeout=20)
    time.sleep(1)
    assert len(posts_to(fake, people, HEAD, ref)) == 1


def test_killed_while_sending_does_not_send_twice(
    fresh: tuple[BotServer, People, FakeSlack],
) -> None:
    server, people, fake = fresh
    fake.set_delay("chat.postMessage", 1.5)
    ref = people.report(TEACHER)
    time.sleep(0.8)  # the first posts are on their way to Slack
    server.kill()
    time.sleep(1.5)  # Slack finishes posting them, but the server never heard back
    fake.set_delay("chat.postMessage", 0)
    assert len(posts_to(fake, people, HEAD, ref)) == 1
    server.start()
    people.card(TEACHER, ref, containing="received", timeout=20)
    deadline = time.monotonic() + 20
    while server.scalar("SELECT count(*) FROM outbox_message WHERE status != 'sent'"):
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.2)
    assert len(posts_to(fake, people, HEAD, ref)) == 1
    assert "delivered before a restart" in server.log()
