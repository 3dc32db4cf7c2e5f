# The Microsoft Graph mailer: sends outbox e-mail as the bot's mailbox with an app-only token.
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.delivery import Envelope
from bot.messages import Message
from bot.outbox import DeliveryError, MailAddresses
from handlers.graph import TRY_AGAIN, GraphApp, GraphLoginFailed, error_code, seconds
from handlers.mail.render import render_mail

log = logging.getLogger(__name__)
ITEM_HEADER = "X-Policybot-Item"
REFUSED = {
    400: "Graph refused the message",
    403: "Graph refused the mailbox: check Mail.Send permission and the application access policy",
    404: "Graph does not know the mailbox: check GRAPH_MAILBOX",
}


class GraphMailer:
    """Implements bot.delivery.Sender: `POST /v1.0/users/{mailbox}/sendMail` with an app-only
    token from `handlers.graph.GraphApp` (made from the other arguments unless `app` is given,
    so mail and the Teams look-ups can share one token cache)."""

    channel = "graph"

    def __init__(
        self,
        *,
        mailbox: str,
        client_id: str = "",
        client_secret: str = "",
        tenant_id: str = "",
        graph_base_url: str = "https://graph.microsoft.com",
        authority_host: str = "https://login.microsoftonline.com",
        ca_file: str | None = None,
        timeout: float = 30.0,
        app: GraphApp | None = None,
    ) -> None:
        self._graph = app or GraphApp(
            client_id=client_id,
            client_secret=client_secret,
            tenant_id=tenant_id,
            graph_base_url=graph_base_url,
            authority_host=authority_host,
            ca_file=ca_file,
            timeout=timeout,
        )
        user = quote(mailbox, safe="@")
        self._send_url = f"{self._graph.base_url}/v1.0/users/{user}/sendMail"

    async def deliver(self, envelope: Envelope) -> str:
        if envelope.mail is None:
            raise DeliveryError("this e-mail has no addresses", permanent=True)
        if envelope.recovering:
            log.info("outbox item %s may have been e-mailed before a restart", envelope.item_id)
        try:
            token = await self._graph.token("mail")
        except GraphLoginFailed as failure:
            raise DeliveryError(str(failure)) from None
        body = send_mail_body(envelope.item_id, envelope.mail, envelope.message)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with (
                self._graph.session() as session,
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
        code = await error_code(response)
        if status == 401:  # expired or revoked: drop it, so the next try asks for a new one
            self._graph.forget_tokens()
            return DeliveryError(f"Graph refused the token (401 {code}); a new one will be used")
        if status in TRY_AGAIN:
            retry_after = seconds(response.headers.get("Retry-After"))
            return DeliveryError(
                f"Graph is busy ({status} {code})",
                retry_after=retry_after,
                throttled=status == 429 and retry_after is not None,
            )
        reason = REFUSED.get(status, "Graph refused the e-mail")
        return DeliveryError(f"{reason} ({status} {code})", permanent=True)


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
