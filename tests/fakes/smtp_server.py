# A local SMTP server for tests: STARTTLS with a certificate from a test CA, and a login.
from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "policybot", "pw"


@dataclass
class MailServer:
    """What the SMTP server received, and the replies it is told to give."""

    received: list[dict[str, Any]] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.data_replies:
            return self.data_replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(
            {"message": message, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None}
        )
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data == (
            USERNAME.encode(),
            PASSWORD.encode(),
        )
        self.logins.append(f"{mechanism}:{'ok' if ok else 'refused'}")
        return AuthResult(success=ok, handled=False)  # the server answers 235 or 535


@dataclass
class Smtp:
    server: MailServer
    port: int
    ca_file: str


@contextmanager
def smtp_server(directory: Path, port: int) -> Iterator[Smtp]:
    """An SMTP server on 127.0.0.1:`port` that insists on STARTTLS (certificate from a test
    CA written to `directory`) and a login."""
    ca = trustme.CA()
    ca_file = directory / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = MailServer()
    controller = Controller(
        server,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=server.authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield Smtp(server, controller.port, str(ca_file))
    finally:
        controller.stop()
