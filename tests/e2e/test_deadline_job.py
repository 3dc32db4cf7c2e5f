# End to end: the scheduler inside the server nudges, then escalates, an unacknowledged report.
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import SAMPLE, BotServer, People, seed_users
from tests.fakes.slack_api import FakeSlack

TEACHER, HEAD = "c.evans@riverside.example", "a.fletcher@riverside.example"


@pytest.fixture
def hurried(tmp_path: Path) -> Iterator[tuple[BotServer, People]]:
    """A server whose working day never ends and whose deadline is two seconds."""
    with FakeSlack(bot_token="xoxb-e2e") as fake:
        server = BotServer(
            tmp_path,
            fake,
            extra_env={
                "REPORT_ACK_HOURS": str(2 / 3600),
                "WORKING_HOURS": "00:00-24:00",
                "WORKING_DAYS": "mon-sun",
                "SCHEDULER_TICK_SECONDS": "0.3",
            },
        ).start()
        try:
            yield server, People(server, fake, seed_users(fake, Path(SAMPLE)))
        finally:
            server.stop()


def test_unacknowledged_report_is_nudged_then_escalated_to_elt(
    hurried: tuple[BotServer, People],
) -> None:
    server, people = hurried
    ref = people.report(TEACHER)
    people.card(HEAD, ref, containing="Acknowledge")
    reminder = people.card(HEAD, ref, containing="Reminder", timeout=15)
    assert reminder["text"] == f"Reminder: misuse report {ref} needs acknowledging"
    for elt in ("r.ashworth@trust.example", "p.sharma@trust.example"):
        people.card(elt, ref, containing="Escalated: nobody acknowledged", timeout=15)
    people.click(
        "p.sharma@trust.example", people.card("p.sharma@trust.example", ref), "Acknowledge"
    )
    people.card(TEACHER, ref, containing="was acknowledged")
    assert (
        server.scalar(
            f"SELECT count(*) FROM audit_event WHERE record_id = '{ref}' AND action LIKE 'report.%'"
        )
        == 4
    )  # submitted, nudged, escalated, acknowledged
