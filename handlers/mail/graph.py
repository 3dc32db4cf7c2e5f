# The Microsoft Graph mailer: sends outbox e-mail as the bot's mailbox with an app-only token.
from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from typing import Any
from urllib.parse import quote

import aiohttp
import msal
import requests
from msal.exceptions import MsalError

from bot.delivery import Envelope
from bot.messages import Message
from bot.outbox import DeliveryError, MailAddresses
from handlers.mail.render import render_mail

log = logging.getLogger(__name__)
SCOPES = ["https://graph.microsoft.com/.default"]
ITEM_HEADER = "X-Policybot-Item"
TRY_AGAIN = {408, 429, 500, 502, 503, 504}
REFUSED = {
    400: "Graph refused the message",
    403: "Graph refused the mailbox: check Mail.Send permission and the application access policy",
    404: "Graph does not know the mailbox: check GRAPH_MAILBOX",
}


class GraphMailer:
    """Implements bot.delivery.Sender: `POST /v1.0/users/{mailbox}/sendMail` with a token from
    msal's client-credentials flow, cached by one msal application for the mailer's life.

    Certificates are checked against the system's trust store, or against `ca_file` alone when
    given (a test's fake Graph). A server in a subprocess trusts a fake without code: msal uses
    requests, which reads REQUESTS_CA_BUNDLE, and aiohttp's default context reads SSL_CERT_FILE
    (through OpenSSL, when aiohttp is imported)."""

    channel = "graph"

    def __init__(
        self,
        *,
        mailbox: str,
        client_id: str,
        client_secret: str,
        tenant_id: str,
        graph_base_url: str = "https://graph.microsoft.com",
        authority_host: str = "https://login.microsoftonline.com",
        ca_file: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._client_id = client_id
        self._secret = client_secret
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        user = quote(mailbox, safe="@")
        self._send_url = f"{graph_base_url.rstrip('/')}/v1.0/users/{user}/sendMail"
        self._ca_file = ca_file
        self._ssl: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=ca_file) if ca_file else True
        )
        self._timeout = timeout
        self._app: msal.ConfidentialClientApplication | None = None
        self._app_lock = threading.Lock()

    async def deliver(self, envelope: Envelope) -> str:
        if envelope.mail is None:
            raise DeliveryError("this e-mail has no addresses", permanent=True)
        if envelope.recovering:
            log.info("outbox item %s may have been e-mailed before a restart", envelope.item_id)
        token = await self._token()
        body = send_mail_body(envelope.item_id, envelope.mail, envelope.message)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with (
                aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(ssl=self._ssl),
                    timeout=aiohttp.ClientTimeout(total=self._timeout),
                ) as session,
                session.post(self._send_url, json=body, headers=headers) as response,
            ):
                request_id = response.headers.get("request-id")
                log.info(
                    "outbox item %s: Graph sendMail answered %s (request %s)",
                    envelope.item_id,
                    response.status,
                    request_id,
                )
                if response.status == 202:
                    return f"graph:{request_id or envelope.item_id}"
                error = await self._refusal(response)
        except (aiohttp.ClientError, TimeoutError) as failure:
            raise DeliveryError(f"network: {type(failure).__name__}") from None
        raise error

    async def _refusal(self, response: aiohttp.ClientResponse) -> DeliveryError:
        status = response.status
        code = await _error_code(response)
        if status == 401:  # expired or revoked: drop it, so the next try asks for a new one
            self._forget_tokens()
            return DeliveryError(f"Graph refused the token (401 {code}); a new one will be used")
        if status in TRY_AGAIN:
            retry_after = _seconds(response.headers.get("Retry-After"))
            return DeliveryError(
                f"Graph is busy ({status} {code})",
                retry_after=retry_after,
                throttled=status == 429 and retry_after is not None,
            )
        reason = REFUSED.get(status, "Graph refused the e-mail")
        return DeliveryError(f"{reason} ({status} {code})", permanent=True)

    async def _token(self) -> str:
        try:
            result = await asyncio.to_thread(self._acquire)
        except (OSError, ValueError, MsalError) as failure:  # discovery or token endpoint
            raise DeliveryError(
                f"Microsoft login failed ({type(failure).__name__}): check GRAPH_TENANT_ID "
                "and that AUTHORITY_HOST can be reached"
            ) from None
        if "access_token" not in result:
            raise DeliveryError(
                f"Microsoft login refused the app ({result.get('error', 'no token')}): check "
                "GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and GRAPH_TENANT_ID"
            )
        if result.get("token_source") == "identity_provider":
            log.info("Graph: new app-only token for mail")
        return str(result["access_token"])

    def _acquire(self) -> dict[str, Any]:
        """Blocking (run in a thread): a token from msal's cache or from the login service."""
        return self._client().acquire_token_for_client(scopes=SCOPES)

    def _client(self) -> msal.ConfidentialClientApplication:
        """The msal application, made on first use: making it calls the login service."""
        with self._app_lock:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._secret,
                    authority=self._authority,
                    instance_discovery=False,  # AUTHORITY_HOST is trusted as configured
                    http_client=self._ca_session(),
                    timeout=self._timeout,
                )
            return self._app

    def _ca_session(self) -> requests.Session | None:
        """With `ca_file`, a requests session that trusts it alone; else None (msal's own).
        Not msal's `verify=`: requests lets REQUESTS_CA_BUNDLE win over it when set."""
        if not self._ca_file:
            return None
        session = requests.Session()
        session.verify = self._ca_file
        session.trust_env = False  # no REQUESTS_CA_BUNDLE, nor proxies from the environment
        return session

    def _forget_tokens(self) -> None:
        app = self._app
        if app is not None:
            app.remove_tokens_for_client()


def send_mail_body(item_id: int, mail: MailAddresses, message: Message) -> dict[str, Any]:
    """The JSON of a sendMail request for one outbox item, saved to the mailbox's Sent Items."""
    subject, text = render_mail(message)
    graph_message = {
        "subject": subject,
        "body": {"contentType": "Text", "content": text},
        "toRecipients": _recipients(mail.to),
        "ccRecipients": _recipients(mail.cc),
        "replyTo": _recipients((mail.reply_to,) if mail.reply_to else ()),
        "internetMessageHeaders": [{"name": ITEM_HEADER, "value": str(item_id)}],
    }
    return {"message": graph_message, "saveToSentItems": True}


def _recipients(addresses: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": address}} for address in addresses]


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's error code (e.g. ErrorAccessDenied), never its message (it may name people)."""
    try:
        data = await response.json(content_type=None)
        return str(data["error"]["code"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return "no error code"


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
