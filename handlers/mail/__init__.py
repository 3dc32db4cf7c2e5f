# E-mail from the outbox: build the configured mailer (Microsoft Graph or SMTP), or none.
from __future__ import annotations

from bot.delivery import Sender
from bot.settings import Settings
from handlers.graph import GraphApp


def build_graph(settings: Settings) -> GraphApp | None:
    """The Graph app mail and the Teams look-ups share (one token cache), when configured."""
    if not settings.graph_configured or settings.graph_app is None:
        return None
    client_id, secret, tenant = settings.graph_app
    return GraphApp(
        client_id=client_id,
        client_secret=secret,
        tenant_id=tenant,
        graph_base_url=settings.graph_base_url,
        authority_host=settings.authority_host,
    )


def build_mailer(settings: Settings, graph: GraphApp | None = None) -> Sender | None:
    """The mailer `settings.mailer` names, or None when e-mail is off."""
    if settings.mailer == "graph":
        from handlers.mail.graph import GraphMailer

        app = graph or build_graph(settings)
        assert app is not None and settings.graph_mailbox
        return GraphMailer(mailbox=settings.graph_mailbox, app=app)
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
