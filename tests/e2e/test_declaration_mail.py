# End to end: a declaration's e-mail, from the real server through fake Graph (HTTPS, msal
# client credentials) and through a STARTTLS SMTP server, delivered once whatever the faults.
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import SAMPLE, BotServer, People, free_port, seed_users
from tests.fakes.graph_api import FakeGraph
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp_server import PASSWORD, USERNAME, Smtp, smtp_server

TEACHER = "d.hughes@willow.example"
DSL = "j.whitaker@willow.example"
OAK_DSLS = ["h.fraser@oakfield.example", "r.lawson@oakfield.example"]


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Smtp]:
    with smtp_server(tmp_path_factory.mktemp("smtp"), free_port()) as server:
        yield server


def start(tmp: Path, fake: FakeSlack, env: dict[str, str]) -> tuple[BotServer, People]:
    server = BotServer(tmp, fake, extra_env=env).start()
    return server, People(server, fake, seed_users(fake, Path(SAMPLE)))


def declare(people: People, **answers: Any) -> str:
    view = people.open_form(TEACHER, "/declare-relationship")
    reply = people.submit(
        TEACHER,
        view,
        {"pupil_name": "Juniper Mailtest", "pupil_site": "willow", "relationship": "own_child"}
        | {"platforms": ["Facebook"], "since": "2020-01-01"}
        | answers,
    )
    match = re.search(r"RD-\d{4}-\d{4}", str(reply))
    assert match, reply
    return match.group(0)


def mails_about(sent: list[dict[str, Any]], ref: str) -> list[dict[str, Any]]:
    return [m for m in sent if ref in m["subject"]]


def settle(seconds: float = 2.5) -> None:
    """Long enough for several more worker passes and retries (OUTBOX_* are short in tests)."""
    time.sleep(seconds)


@pytest.fixture(scope="module")
def via_graph(
    graph: FakeGraph, fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotServer, People]]:
    server, people = start(tmp_path_factory.mktemp("graph-bot"), fake_slack, graph.env())
    yield server, people
    server.stop()


def test_graph_sends_the_declaration_to_the_leads_with_the_declarer_in_copy(
    via_graph: tuple[BotServer, People], graph: FakeGraph
) -> None:
    server, people = via_graph
    ref = declare(people, pupil_site="oakfield")
    [mail] = graph.wait_for(lambda g: mails_about(g.sent(), ref))
    assert sorted(mail["to"]) == OAK_DSLS and mail["cc"] == [TEACHER]
    assert mail["reply_to"] == [TEACHER] and mail["mailbox"] == graph.mailbox
    assert "Juniper Mailtest" not in mail["subject"], "the subject never names the pupil"
    assert "Juniper Mailtest" in mail["text"] and "section 4" in mail["text"]
    card = people.card(OAK_DSLS[0], ref, containing="Acknowledge")
    assert "Sent to" in str(card["blocks"]) and "copy to d.hughes" in str(card["blocks"])
    assert "Juniper" not in server.log()


@pytest.mark.parametrize("fault", ["429", "503", "expired token"])
def test_graph_faults_delay_the_mail_which_then_goes_once(
    via_graph: tuple[BotServer, People], graph: FakeGraph, fault: str
) -> None:
    server, people = via_graph
    refused = len(graph.refused())
    if fault == "429":
        graph.fail_next(429, retry_after=1)
    elif fault == "503":
        graph.fail_next(503, times=2)
    else:
        declare(people)  # a token is issued and cached by the first send ...
        graph.wait_for(lambda g: len(g.sent()) >= 1)
        graph.expire_tokens()  # ... and then expires
    tokens = graph.tokens_issued()
    ref = declare(people)
    graph.wait_for(lambda g: mails_about(g.sent(), ref), timeout=20)
    settle()
    assert len(mails_about(graph.sent(), ref)) == 1, "delivered once, never twice"
    assert len(graph.refused()) > refused, "the fault really happened"
    if fault == "expired token":
        assert graph.tokens_issued() > tokens, "a fresh token was fetched"
    status = server.scalar(
        f"SELECT status FROM outbox_message WHERE key = 'declaration:{ref}:email'"
    )
    assert status == "sent"


def test_smtp_sends_the_declaration_over_starttls(
    smtp: Smtp, fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_FROM": "Policy Bot <policybot@trust.example>",
        "SMTP_USERNAME": USERNAME,
        "SMTP_PASSWORD": PASSWORD,
        "SSL_CERT_FILE": smtp.ca_file,
    }
    server, people = start(tmp_path_factory.mktemp("smtp-bot"), fake_slack, env)
    try:
        smtp.server.data_replies.append("451 Try again later")
        ref = declare(people)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _smtp_mails(smtp, ref):
            time.sleep(0.1)
        settle()
        [mail] = _smtp_mails(smtp, ref)
        message = mail["message"]
        assert mail["tls"] and message["To"] == DSL and message["Cc"] == TEACHER
        assert message["Reply-To"] == TEACHER and "Juniper" not in message["Subject"]
        assert "Juniper Mailtest" in message.get_content()
    finally:
        server.stop()


def _smtp_mails(smtp: Smtp, ref: str) -> list[dict[str, Any]]:
    return [m for m in smtp.server.received if ref in str(m["message"]["Subject"])]
