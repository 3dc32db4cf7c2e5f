# E-mail from the real outbox and worker, through fake Graph (HTTPS) and a STARTTLS SMTP server.
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.clock import ManualClock
from bot.delivery import Sender
from bot.directory import load_directory
from bot.messages import Action, Message
from bot.outbox import MailAddresses, OutboxItem, RetryPolicy
from bot.ports import Delivery
from handlers.mail.graph import GraphMailer
from handlers.mail.render import ACT_IN_CHAT
from handlers.mail.smtp import SmtpMailer
from handlers.slack.people import SlackPeople
from handlers.slack.sender import SlackSender
from scheduler.outbox_worker import OutboxWorker
from storage.engine import create_engine, session_factory
from storage.identities import SqlIdentities
from storage.outbox import OutboxQueue
from storage.tables import OutboxRow
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE, free_port, seed_users
from tests.fakes.graph_api import FakeGraph
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp_server import Smtp, smtp_server

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
ADDRESSES = MailAddresses(
    to=("head@willow.example", "comms@trust.example"),
    cc=("ann@willow.example",),
    reply_to="ann@willow.example",
)
MESSAGE = Message(
    notification="New relationship declaration",
    title="Relationship declaration RD-2026-0001",
    body="Ann Example has declared a relationship.",
    facts=(("School", "Willow Primary"),),
    actions=(Action("ack", "Acknowledge", "1"),),
    footer="Ref RD-2026-0001",
)
TEXT = (
    "Ann Example has declared a relationship.\n\nSchool: Willow Primary\n\n"
    f"{ACT_IN_CHAT}\n\nRef RD-2026-0001\n"
)


@dataclass
class Outbox:
    """A real outbox on the test database, and one worker with the given senders."""

    sessions: Any
    clock: ManualClock
    worker: OutboxWorker

    async def email(self, key: str = "mail-1", mail: MailAddresses = ADDRESSES) -> int:
        async with SqlUnitOfWork(self.sessions, self.clock) as uow:
            assert await uow.outbox.add(OutboxItem.email(key, mail, MESSAGE))
            await uow.commit()
        return await self.row_id(key)

    async def row_id(self, key: str) -> int:
        return int((await self.row(key)).id or 0)

    async def row(self, key: str) -> OutboxRow:
        async with self.sessions() as session:
            return (await session.exec(select(OutboxRow).where(OutboxRow.key == key))).one()

    async def delivery(self, key: str = "mail-1") -> Delivery:
        async with SqlUnitOfWork(self.sessions, self.clock) as uow:
            found = (await uow.outbox.deliveries([key])).get(key)
        assert found is not None
        return found

    async def pass_after(self, seconds: float) -> int:
        """Move the clock on, then let the worker make one pass; returns items handled."""
        self.clock.advance(timedelta(seconds=seconds))
        return await self.worker.run_once()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Any]:
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


def outbox(sessions: Any, senders: dict[str, Sender], clock: ManualClock | None = None) -> Outbox:
    clock = clock or ManualClock(NOW)
    worker = OutboxWorker(
        OutboxQueue(sessions),
        senders,
        clock=clock,
        policy=RetryPolicy(max_attempts=5, base_seconds=1.0, max_seconds=10.0),
        poll_seconds=0.05,
    )
    return Outbox(sessions, clock, worker)


# --- Microsoft Graph ------------------------------------------------------------------------


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


def graph_mailer(fake: FakeGraph, *, secret: str | None = None) -> GraphMailer:
    return GraphMailer(
        mailbox=fake.mailbox,
        client_id=fake.client_id,
        client_secret=secret or fake.client_secret,
        tenant_id=fake.tenant,
        graph_base_url=fake.base_url,
        authority_host=fake.base_url,
        ca_file=fake.ca_file,
    )


async def test_graph_sends_the_mail_with_its_addresses_subject_and_text(
    database: Any, graph: FakeGraph
) -> None:
    box = outbox(database, {"email": graph_mailer(graph)})
    item_id = await box.email()

    assert await box.worker.run_once() == 1

    [mail] = graph.sent()
    assert mail["to"] == ["head@willow.example", "comms@trust.example"]
    assert mail["cc"] == ["ann@willow.example"] and mail["reply_to"] == ["ann@willow.example"]
    assert mail["subject"] == "Relationship declaration RD-2026-0001"
    assert (mail["text"], mail["content_type"], mail["saved"]) == (TEXT, "Text", True)
    assert mail["headers"] == {"X-Policybot-Item": str(item_id)}
    row = await box.row("mail-1")
    assert (row.status, row.channel) == ("sent", "graph")
    assert row.channel_ref and row.channel_ref.startswith("graph:")
    assert row.mail is None and row.payload is None  # addresses and content dropped once sent


async def expired_token(graph: FakeGraph, box: Outbox) -> None:
    """A first mail gets a token through; then the token expires."""
    await box.email("mail-0", MailAddresses(("first@willow.example",)))
    await box.worker.run_once()
    assert len(graph.sent()) == 1
    graph.expire_tokens()


@pytest.mark.parametrize(
    ("fault", "reason", "due"),  # due: seconds until the next try (backoff is 0.8-1.2 s)
    [
        ("429 with Retry-After", "Graph is busy (429 ApplicationThrottled)", 30),
        ("503", "Graph is busy (503 ServiceUnavailable)", 1.2),
        ("expired token", "Graph refused the token (401 InvalidAuthenticationToken)", 1.2),
    ],
)
async def test_graph_faults_delay_the_mail_which_then_goes_once(
    database: Any, graph: FakeGraph, fault: str, reason: str, due: float
) -> None:
    box = outbox(database, {"email": graph_mailer(graph)})
    if fault == "expired token":
        await expired_token(graph, box)
    elif fault == "503":
        graph.fail_next(503)
    else:
        graph.fail_next(429, retry_after=30)
    before = len(graph.sent())
    await box.email()

    await box.worker.run_once()

    delivery = await box.delivery()
    assert delivery.status == "pending"
    assert delivery.last_error and delivery.last_error.startswith(reason)
    assert len(graph.sent()) == before
    assert await box.pass_after(due - 0.5) == 0  # not yet: backoff, or at least Retry-After
    assert await box.pass_after(0.5) == 1
    assert (await box.delivery()).status == "sent"
    for _ in range(3):
        await box.pass_after(60)
    assert len(graph.sent()) == before + 1
    if fault == "expired token":
        assert graph.tokens_issued() == 2
        assert graph.sent()[-1]["token"] != graph.sent()[0]["token"]


async def test_graph_refusing_the_mailbox_dead_letters_the_mail(
    database: Any, graph: FakeGraph
) -> None:
    box = outbox(database, {"email": graph_mailer(graph)})
    graph.fail_next(403, times=5)
    await box.email()

    await box.worker.run_once()
    await box.pass_after(60)

    delivery = await box.delivery()
    assert delivery.status == "dead"
    assert delivery.last_error == (
        "Graph refused the mailbox: check Mail.Send permission and the application access "
        "policy (403 ErrorAccessDenied)"
    )
    assert graph.sent() == [] and len(graph.refused()) == 1


async def test_a_refused_login_is_retried_and_never_shows_the_secret(
    database: Any, graph: FakeGraph
) -> None:
    box = outbox(database, {"email": graph_mailer(graph, secret="wrong-secret-123")})
    await box.email()

    await box.worker.run_once()

    delivery = await box.delivery()
    assert delivery.status == "pending"
    assert delivery.last_error and "invalid_client" in delivery.last_error
    assert "wrong-secret-123" not in delivery.last_error
    assert graph.sent() == [] and graph.tokens_issued() == 0


# --- SMTP -------------------------------------------------------------------------------------


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[Smtp]:
    with smtp_server(tmp_path, free_port()) as server:
        yield server


def smtp_mailer(smtp: Smtp, *, password: str = "pw") -> SmtpMailer:
    return SmtpMailer(
        host="127.0.0.1",
        port=smtp.port,
        sender="Policy Bot <policybot@trust.example>",
        username="policybot",
        password=password,
        ca_file=smtp.ca_file,
        timeout=5,
    )


async def test_smtp_sends_the_mail_once_over_starttls(database: Any, smtp: Smtp) -> None:
    box = outbox(database, {"email": smtp_mailer(smtp)})
    item_id = await box.email()

    assert await box.worker.run_once() == 1
    for _ in range(3):
        await box.pass_after(60)

    [mail] = smtp.server.received
    message = mail["message"]
    assert mail["tls"] is True and smtp.server.logins == ["PLAIN:ok"]
    assert mail["rcpt_tos"] == ["head@willow.example", "comms@trust.example", "ann@willow.example"]
    assert message["From"] == "Policy Bot <policybot@trust.example>"
    assert message["To"] == "head@willow.example, comms@trust.example"
    assert message["Cc"] == "ann@willow.example"
    assert message["Reply-To"] == "ann@willow.example"
    assert message["Subject"] == "Relationship declaration RD-2026-0001"
    assert message["Message-ID"] == f"<policybot-item-{item_id}@trust.example>"
    assert message["X-Policybot-Item"] == str(item_id)
    assert message.get_content().replace("\r\n", "\n") == TEXT  # CRLF on the wire
    row = await box.row("mail-1")
    assert (row.status, row.channel) == ("sent", "smtp")
    assert row.channel_ref == f"smtp:<policybot-item-{item_id}@trust.example>"


async def test_smtp_temporary_refusal_then_success_sends_once(database: Any, smtp: Smtp) -> None:
    box = outbox(database, {"email": smtp_mailer(smtp)})
    smtp.server.data_replies.append("451 4.3.0 Try again later")
    await box.email()

    await box.worker.run_once()

    delivery = await box.delivery()
    assert (delivery.status, delivery.last_error) == (
        "pending",
        "the SMTP server deferred the e-mail (451)",
    )
    assert smtp.server.received == []
    assert await box.pass_after(2) == 1
    for _ in range(3):
        await box.pass_after(60)
    assert len(smtp.server.received) == 1
    assert (await box.delivery()).status == "sent"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("550 recipients", "the SMTP server refused the recipients (550)"),
        ("wrong password", "the SMTP server refused the login: check SMTP_USERNAME and "),
    ],
)
async def test_smtp_permanent_refusal_dead_letters_the_mail(
    database: Any, smtp: Smtp, fault: str, reason: str
) -> None:
    password = "pw"
    if fault == "wrong password":
        password = "not-it"
    else:
        smtp.server.rcpt_replies += ["550 5.1.1 No such user"] * 3
    box = outbox(database, {"email": smtp_mailer(smtp, password=password)})
    await box.email()

    await box.worker.run_once()
    await box.pass_after(60)

    delivery = await box.delivery()
    assert delivery.status == "dead"
    assert delivery.last_error and delivery.last_error.startswith(reason)
    assert "not-it" not in delivery.last_error
    assert smtp.server.received == []


# --- e-mail and chat side by side -------------------------------------------------------------


async def test_a_mailer_that_is_down_does_not_hold_up_chat_to_the_same_person(
    database: Any, graph: FakeGraph
) -> None:
    directory = load_directory(SAMPLE)
    person = directory.people[0].email
    with FakeSlack(bot_token="xoxb-mail") as slack:
        seed_users(slack, Path(SAMPLE))
        client = AsyncWebClient(token="xoxb-mail", base_url=slack.api_url)
        clock = ManualClock(NOW)
        people = SlackPeople(client, SqlIdentities(database), lambda: directory, clock)
        senders = {"chat": SlackSender(client, people), "email": graph_mailer(graph)}
        box = outbox(database, senders, clock)
        graph.set_down()
        await box.email(mail=MailAddresses((person,)))
        async with SqlUnitOfWork(database, box.clock) as uow:
            await uow.outbox.add(OutboxItem("chat-1", person, Message("Hello", "Hello")))
            await uow.commit()

        await box.worker.run_once()

        assert [c["args"]["text"] for c in slack.calls("chat.postMessage")] == ["Hello"]
        assert (await box.delivery("chat-1")).status == "sent"
        assert (await box.delivery("mail-1")).status == "pending"
        graph.set_down(False)
        await box.pass_after(5)
        assert (await box.delivery("mail-1")).status == "sent"
        assert len(graph.sent()) == 1 and graph.sent()[0]["to"] == [person]
