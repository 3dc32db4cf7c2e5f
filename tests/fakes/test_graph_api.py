# FakeGraph as a policybot server process would use it: trusted through two environment variables.
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.graph_api import FakeGraph

ROOT = Path(__file__).resolve().parents[2]
SEND_ONE = """
import asyncio
from bot.delivery import Envelope
from bot.messages import Message
from bot.outbox import DeliveryError, MailAddresses
from bot.settings import load_settings
from handlers.mail import build_mailer

async def main():
    mailer = build_mailer(load_settings(None))
    mail = MailAddresses(("head@willow.example",))
    try:
        print(await mailer.deliver(Envelope(7, "mail:x", Message("n", "Hi"), None, False, mail)))
    except DeliveryError as error:
        print("refused:", error.reason)

asyncio.run(main())
"""


def send_one(env: dict[str, str]) -> str:
    """Send one mail from a fresh process, configured by `env` alone, as `policybot serve` is."""
    names = ("PATH", "HOME", "SSL_CERT_DIR")  # no CA bundle of this machine's environment
    clean = {name: os.environ[name] for name in names if name in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", SEND_ONE],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


def test_a_server_process_trusts_the_fake_through_its_env(graph: FakeGraph) -> None:
    assert send_one(graph.env()).startswith("graph:")

    [mail] = graph.sent()
    assert mail["to"] == ["head@willow.example"] and mail["headers"]["X-Policybot-Item"] == "7"


def test_without_those_variables_the_fake_is_not_trusted(graph: FakeGraph) -> None:
    answer = send_one(graph.settings())

    assert answer.startswith("refused: Microsoft login failed (SSLError)")
    assert graph.sent() == [] and graph.tokens_issued() == 0


def test_aiohttp_alone_needs_ssl_cert_file(graph: FakeGraph) -> None:
    """msal trusts the fake through REQUESTS_CA_BUNDLE; sendMail needs SSL_CERT_FILE."""
    env = graph.settings() | {"REQUESTS_CA_BUNDLE": graph.ca_file}

    answer = send_one(env)

    assert answer.startswith("refused: network: ClientConnectorCertificateError")
    assert graph.tokens_issued() == 1 and graph.sent() == []
