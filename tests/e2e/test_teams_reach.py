# End to end on a Teams-only Trust with Microsoft Graph: people who never wrote to the bot are
# found in Graph and reached in a new 1:1 chat; someone Graph does not know waits with a plain
# reason; a 1:1 chat refused with 429 (Retry-After) or 500 is created, and the card sent, once.
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.e2e.harness import BotServer
from tests.e2e.teams_harness import TeamsTrust, cards_about, reply_card, sent_ref, teams_server
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.graph_api import FakeGraph
from tests.fakes.slack_api import FakeSlack
from tests.fakes.teams_requests import TeamsRequests, submit

TEACHER = "d.hughes@willow.example"  # writes to the bot
HEAD = "s.thompson@willow.example"  # never seen; in Graph
DSL = "j.whitaker@willow.example"  # never seen; in Graph
OAK_TEACHER = "o.davies@oakfield.example"  # writes to the bot
OAK_HEAD = "m.obrien@oakfield.example"  # never seen; in Graph
RIVER_TEACHER = "b.carter@riverside.example"  # writes to the bot
RIVER_HEAD = "a.fletcher@riverside.example"  # never seen; not in Graph
PEOPLE = {
    TEACHER: "David Hughes",
    HEAD: "Sarah Thompson",
    DSL: "James Whitaker",
    OAK_TEACHER: "Olivia Davies",
    OAK_HEAD: "Michael O'Brien",
    RIVER_TEACHER: "Ben Carter",
    RIVER_HEAD: "Andrew Fletcher",
}


@pytest.fixture(scope="module")
def teams_trust() -> TeamsTrust:
    """Only the reporters wrote to the bot."""
    reporters = (TEACHER, OAK_TEACHER, RIVER_TEACHER)
    return TeamsTrust(PEOPLE, installed=reporters, slack=False)


@pytest.fixture(scope="module")
def graph(connector: FakeBotConnector) -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        for email in (HEAD, DSL, OAK_HEAD, TEACHER, OAK_TEACHER, RIVER_TEACHER):
            fake.add_user(email, object_id=connector.user(email).aad)
        yield fake


@pytest.fixture(scope="module")
def server(
    fake_slack: FakeSlack,
    connector: FakeBotConnector,
    graph: FakeGraph,
    teams_trust: TeamsTrust,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotServer]:
    lookups = {k: v for k, v in graph.env().items() if k != "GRAPH_MAILBOX"}  # no e-mail
    workdir = tmp_path_factory.mktemp("teams-reach")
    with teams_server(workdir, fake_slack, connector, teams_trust, env=lookups) as bot:
        yield bot


def report(teams: TeamsRequests, email: str, site: str, subject: str) -> str:
    """A report made on Teams; its reference."""
    form = reply_card(teams, email, "report misuse")
    answers = {
        "category": "pupil_misuse",
        "site_id": site,
        "subject_name": subject,
        "platform": "Instagram",
        "description": "Unkind posts about a pupil.",
    }
    return sent_ref(submit(teams, email, form, answers), "MR")


def test_someone_never_seen_is_found_in_graph_and_reached_in_a_new_chat(
    teams: TeamsRequests, connector: FakeBotConnector, graph: FakeGraph, server: BotServer
) -> None:
    ref = report(teams, OAK_TEACHER, "oakfield", "A pupil in Year 3")
    connector.wait_for(lambda c: cards_about(c, OAK_HEAD, ref), timeout=20)
    head = connector.user(OAK_HEAD)
    looked_up = [x for x in graph.lookups() if x["user"] == OAK_HEAD]
    assert looked_up and looked_up[0]["status"] == 200
    assert looked_up[0]["select"] == ["id", "userPrincipalName"]
    created = [c for c in connector.calls("create") if c.conversation == head.conversation]
    assert created and created[0].body["members"] == [{"id": head.aad}]
    stored = server.scalar(
        f"select aad_object_id from chat_identity where email = '{OAK_HEAD}' and channel = 'teams'"
    )
    assert stored == head.aad, "the object id is kept: Graph is asked once"
    time.sleep(1)
    assert len(cards_about(connector, OAK_HEAD, ref)) == 1


def test_someone_graph_does_not_know_waits_with_a_plain_reason(
    teams: TeamsRequests, connector: FakeBotConnector, graph: FakeGraph, server: BotServer
) -> None:
    ref = report(teams, RIVER_TEACHER, "riverside", "A pupil in Year 4")
    graph.wait_for(lambda g: [x for x in g.lookups() if x["user"] == RIVER_HEAD], timeout=20)
    deadline = time.monotonic() + 10
    waiting = ""
    while time.monotonic() < deadline and "knows no user" not in waiting:
        waiting = server.cli("outbox", "list").stdout
        time.sleep(0.3)
    assert "Microsoft Graph knows no user with this e-mail address" in waiting
    assert RIVER_HEAD in waiting
    assert next(x["status"] for x in graph.lookups() if x["user"] == RIVER_HEAD) == 404
    assert not cards_about(connector, RIVER_HEAD, ref)
    assert not [
        c
        for c in connector.calls("create")
        if c.conversation == connector.user(RIVER_HEAD).conversation
    ]


@pytest.mark.parametrize(("status", "retry_after", "recipient"), [(429, 1, HEAD), (500, None, DSL)])
def test_a_refused_new_chat_is_created_and_the_card_sent_once(
    teams: TeamsRequests,
    connector: FakeBotConnector,
    status: int,
    retry_after: int | None,
    recipient: str,
) -> None:
    """HEAD gets a report's card, DSL a declaration's: each a new 1:1 chat."""
    before = len(connector.calls("create"))
    connector.fail_next(status, times=1, retry_after=retry_after, on="create")
    if recipient == HEAD:
        ref = report(teams, TEACHER, "willow", f"A pupil, case {status}")
    else:
        form = reply_card(teams, TEACHER, "declare relationship")
        answers = {
            "pupil_name": "Juniper Reachtest",
            "pupil_site": "willow",
            "relationship": "relative",
            "platforms": ["Facebook"],
            "since": "2024-09-01",
        }
        ref = sent_ref(submit(teams, TEACHER, form, answers), "RD")
    connector.wait_for(lambda c: cards_about(c, recipient, ref), timeout=20)
    time.sleep(1.5)
    assert len(cards_about(connector, recipient, ref)) == 1
    creates = connector.calls("create")[before:]
    assert [c.status for c in creates][:2] == [status, 201]
    if retry_after:
        assert creates[1].at - creates[0].at >= retry_after * 0.9
