# E-mail from the outbox: build the configured mailer (Microsoft Graph or SMTP), or none.
from __future__ import annotations

from bot.delivery import Sender
from bot.settings import Settings


def build_mailer(settings: Settings) -> Sender | None:
    """The mailer `settings.mailer` names, or None when e-mail is off."""
    if settings.mailer == "graph":
        from handlers.mail.graph import GraphMailer

        app = settings.graph_app
        assert app is not None and settings.graph_mailbox
        client_id, secret, tenant = app
        return GraphMailer(
            mailbox=settings.graph_mailbox,
            client_id=client_id,
            client_secret=secret,
            tenant_id=tenant,
            graph_base_url=settings.graph_base_url,
            authority_host=settings.authority_host,
        )
    if settings.mailer == "smtp":
        from handlers.mail.smtp import SmtpMailer

        assert settings.smtp_host and settings.smtp_from
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return None
