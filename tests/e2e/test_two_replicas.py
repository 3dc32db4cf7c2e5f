# End to end: two `policybot serve` processes on one PostgreSQL database and one fake Slack.
# Reports made through either one are nudged and escalated by the scheduler, and every message
# reaches Slack exactly once; each job runs in one replica, and moves when that one stops.
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.fakes.slack_api import FakeSlack
from tests.integration.conftest import POSTGRES, fresh_postgres, postgres_reachable

JOBS = {"report_deadlines", "post_deadlines", "daily_tasks", "declaration_reminders"}  # and more
REPORTERS = [  # (teacher, a lead who gets the card)
    ("c.evans@riverside.example", "a.fletcher@riverside.example"),
    ("l.barnes@willow.example", "s.thompson@willow.example"),
    ("b.carter@riverside.example", "a.fletcher@riverside.example"),
    ("d.hughes@willow.example", "s.thompson@willow.example"),
    ("l.walsh@riverside.example", "a.fletcher@riverside.example"),
    ("a.patel@willow.example", "s.thompson@willow.example"),
]


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[list[BotServer], list[People], FakeSlack]]:
    """Two servers on a fresh PostgreSQL database, whose deadlines pass in two seconds."""
    if not postgres_reachable():
        pytest.skip("no PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth)")
    url, drop = fresh_postgres(POSTGRES)
    env = {
        "REPORT_ACK_HOURS": str(2 / 3600),
        "WORKING_HOURS": "00:00-24:00",
        "WORKING_DAYS": "mon-sun",
        "SCHEDULER_TICK_SECONDS": "0.3",
    }
    servers: list[BotServer] = []
    try:
        with FakeSlack(bot_token="xoxb-e2e") as fake:
            ids = seed_users(fake, Path(SAMPLE))
            for name in ("a", "b"):
                (tmp_path / name).mkdir()
                servers.append(BotServer(tmp_path / name, fake, database_url=url, extra_env=env))
            servers[0].directory_file.write_text(Path(SAMPLE).read_text())
            servers[0].cli("db", "upgrade")
            for server in servers:
                server.start()
            yield servers, [People(s, fake, ids) for s in servers], fake
    finally:
        for server in servers:
            server.stop()
        drop()  # type: ignore[operator]


def holder_of(server: BotServer) -> str:
    found = re.search(r"scheduler: ticking every \S+ as (\S+)", server.log())
    assert found, server.log()[-2000:]
    return found.group(1)


def leases(server: BotServer) -> dict[str, str]:
    rows = server.scalar("SELECT string_agg(name || '=' || holder, ',') FROM job_lease")
    return dict(pair.split("=", 1) for pair in str(rows or "").split(",") if pair)


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def posts_per_item(fake: FakeSlack) -> Counter[int]:
    """How many times each outbox item was posted (the sender tags each post with its id)."""
    return Counter(
        call["args"]["metadata"]["event_payload"]["item"]
        for call in fake.calls("chat.postMessage")
        if isinstance(call["args"].get("metadata"), dict)
    )


UNSENT = (
    "SELECT string_agg(key || ' ' || status || ' ' || attempts, '; ')"
    " FROM outbox_message WHERE status != 'sent'"
)


def assert_each_message_once(server: BotServer, fake: FakeSlack, refs: list[str]) -> None:
    """Once the queue has drained (each card's later messages wait their turn per channel), and
    a little longer for any second copy to show, every message went exactly once."""
    deadline = time.monotonic() + 30
    while server.scalar(UNSENT) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.scalar(UNSENT) is None  # names what is stuck: key, status, attempts
    time.sleep(1)  # several more ticks on both replicas
    for ref in refs:
        actions = f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}' AND action = "
        assert server.scalar(actions + "'report.nudged'") == 1
        assert server.scalar(actions + "'report.escalated'") == 1
        reminders = Counter(
            call["args"]["channel"]
            for call in fake.calls("chat.postMessage")
            if call["args"]["text"] == f"Reminder: misuse report {ref} needs acknowledging"
        )
        assert reminders and set(reminders.values()) == {1}, (ref, reminders)
    posted = posts_per_item(fake)
    assert posted and set(posted.values()) == {1}, posted.most_common(3)
    nudges = server.scalar("SELECT count(*) FROM outbox_message WHERE key LIKE '%:nudge:%'")
    assert nudges == sum(
        1
        for call in fake.calls("chat.postMessage")
        if str(call["args"]["text"]).startswith("Reminder: misuse report")
    )
    assert server.scalar(UNSENT) is None


def test_two_replicas_nudge_and_escalate_each_report_once(
    replicas: tuple[list[BotServer], list[People], FakeSlack],
) -> None:
    servers, people, fake = replicas
    refs = []
    for n, (teacher, _) in enumerate(REPORTERS):  # as a load balancer would share them out
        refs.append(people[n % 2].report(teacher))
    for ref, (_, lead) in zip(refs, REPORTERS, strict=True):
        people[0].card(lead, ref, containing="Reminder", timeout=20)
    for ref in refs:
        people[0].card("p.sharma@trust.example", ref, containing="Escalated", timeout=20)
    assert_each_message_once(servers[0], fake, refs)

    holders = {holder_of(server): server for server in servers}
    held = leases(servers[0])
    assert set(held) >= JOBS and set(held.values()) <= set(holders)
    leader = holders[held["report_deadlines"]]
    follower = next(s for s in servers if s is not leader)
    assert "report(s) nudged or escalated" in leader.log()
    assert "report(s) nudged or escalated" not in follower.log()

    leader.stop()  # a clean stop gives its leases up: the other replica takes every job
    survivor = people[servers.index(follower)]
    late = survivor.report(REPORTERS[0][0])
    survivor.card("p.sharma@trust.example", late, containing="Escalated", timeout=20)
    wait_until(lambda: set(leases(follower).values()) == {holder_of(follower)})
    assert set(leases(follower)) >= JOBS
    assert_each_message_once(follower, fake, [*refs, late])
