# The SMTP mailer: sends outbox e-mail through the Trust's mail server with aiosmtplib.
from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import parseaddr

import aiosmtplib

from bot.delivery import Envelope
from bot.outbox import DeliveryError
from handlers.mail.render import render_mail

log = logging.getLogger(__name__)
ITEM_HEADER = "X-Policybot-Item"


class SmtpMailer:
    """Implements bot.delivery.Sender over SMTP: STARTTLS unless turned off (only for a trusted
    local relay), a login when a username is set. Certificates are checked against the system's
    trust store, or against `ca_file` alone when given (a test's server)."""

    channel = "smtp"

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        ca_file: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username or None
        self._password = password or None
        self._starttls = starttls
        self._ca_file = ca_file
        self._timeout = timeout

    async def deliver(self, envelope: Envelope) -> str:
        message = mail_message(envelope, self._sender)
        if envelope.recovering:
            log.info("outbox item %s may have been e-mailed before a restart", envelope.item_id)
        try:
            refused, _ = await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                cert_bundle=self._ca_file,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise smtp_error(error) from None
        except OSError as error:
            raise DeliveryError(f"network: {type(error).__name__}") from None
        log.info(
            "outbox item %s: SMTP accepted it (%d recipient(s) refused)",
            envelope.item_id,
            len(refused),
        )
        return f"smtp:{message['Message-ID']}"


def mail_message(envelope: Envelope, sender: str) -> EmailMessage:
    """The e-mail of one outbox item. Its Message-ID comes from the item's id and the sender's
    domain, so a copy sent again after a crash is the same message to mail clients."""
    mail = envelope.mail
    if mail is None:
        raise DeliveryError("this e-mail has no addresses", permanent=True)
    subject, text = render_mail(envelope.message)
    domain = parseaddr(sender)[1].rpartition("@")[2]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = subject
    message["Message-ID"] = f"<policybot-item-{envelope.item_id}@{domain}>"
    message[ITEM_HEADER] = str(envelope.item_id)
    message.set_content(text)
    return message


def smtp_error(error: aiosmtplib.SMTPException) -> DeliveryError:
    """4xx replies and lost connections are worth another try; 5xx refusals are not."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):  # every recipient refused
        codes = [refusal.code for refusal in error.recipients]
        permanent = any(code >= 500 for code in codes)
        verb = "refused" if permanent else "deferred"
        return DeliveryError(
            f"the SMTP server {verb} the recipients ({max(codes, default=0)})", permanent=permanent
        )
    if isinstance(error, aiosmtplib.SMTPResponseException):
        permanent = error.code >= 500
        if isinstance(error, aiosmtplib.SMTPAuthenticationError):
            what = "refused the login: check SMTP_USERNAME and SMTP_PASSWORD"
        elif isinstance(error, aiosmtplib.SMTPSenderRefused):
            what = "refused the sender: check SMTP_FROM"
        else:
            what = "refused the e-mail" if permanent else "deferred the e-mail"
        return DeliveryError(f"the SMTP server {what} ({error.code})", permanent=permanent)
    if "STARTTLS" in str(error):
        return DeliveryError(
            "the SMTP server does not offer STARTTLS: use its submission port (587), or set "
            "SMTP_STARTTLS=false for a trusted local relay only",
            permanent=True,
        )
    return DeliveryError(f"SMTP: {type(error).__name__}")
