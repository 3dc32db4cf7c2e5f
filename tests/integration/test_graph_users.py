# Graph's user look-up (the Teams sender's way to someone never seen) against the fake Graph:
# found, unknown, refused and throttled, with one token shared with the mailer's app.
from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.graph import GraphApp, GraphLookupFailed
from tests.fakes.graph_api import FakeGraph

HEAD = "s.thompson@willow.example"


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


def app_of(fake: FakeGraph) -> GraphApp:
    return GraphApp(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        tenant_id=fake.tenant,
        graph_base_url=fake.base_url,
        authority_host=fake.base_url,
        ca_file=fake.ca_file,
    )


async def test_a_user_is_found_by_e_mail_and_an_unknown_one_is_none(graph: FakeGraph) -> None:
    object_id = graph.add_user(HEAD)
    app = app_of(graph)
    assert await app.user_object_id(HEAD.upper()) == object_id
    assert await app.user_object_id("nobody@willow.example") is None
    assert [x["status"] for x in graph.lookups()] == [200, 404]
    assert graph.lookups()[0]["select"] == ["id", "userPrincipalName"]
    assert graph.tokens_issued() == 1, "one token, from msal's cache the second time"


@pytest.mark.parametrize(
    ("status", "retry_after", "words"),
    [(403, None, "grant the app User.Read.All"), (429, 3, "429"), (503, None, "503")],
)
async def test_a_refused_look_up_says_why(
    graph: FakeGraph, status: int, retry_after: int | None, words: str
) -> None:
    graph.add_user(HEAD)
    graph.fail_next(status, retry_after=retry_after, on="user")
    with pytest.raises(GraphLookupFailed) as refused:
        await app_of(graph).user_object_id(HEAD)
    assert refused.value.status == status and words in str(refused.value)
    assert refused.value.retry_after == retry_after
    assert not graph.sent() and not graph.refused()[1:], "sendMail faults are not consumed"


async def test_an_expired_token_is_dropped_so_the_next_look_up_gets_a_new_one(
    graph: FakeGraph,
) -> None:
    object_id = graph.add_user(HEAD)
    app = app_of(graph)
    assert await app.user_object_id(HEAD) == object_id
    graph.expire_tokens()
    with pytest.raises(GraphLookupFailed):
        await app.user_object_id(HEAD)
    assert await app.user_object_id(HEAD) == object_id
    assert graph.tokens_issued() == 2
