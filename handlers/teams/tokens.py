# Tokens for the Bot Connector: the app's client-credentials token from Microsoft Entra (msal),
# the Agents SDK connection manager that hands it to the SDK, and the filter of the SDK's
# per-turn "App ID is not provided" warning in anonymous mode.
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import msal
from microsoft_agents.hosting.core import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    ConnectionManager,
)

log = logging.getLogger(__name__)
SDK_USER_TOKENS = "microsoft_agents.hosting.core.connector.client.user_token_client"
APP_ID_NOTICE = "App ID is not provided"
CONNECTOR = "https://api.botframework.com"
CONNECTOR_SCOPES = [f"{CONNECTOR}/.default"]


class TokenUnavailable(Exception):
    """Entra refused or could not be reached; the message names why, never a secret."""


class EntraTokens(AccessTokenProviderBase):
    """An app-only token (client secret) from `authority_host`/tenant, cached by one msal
    application. The SDK's own MsalAuth asks Entra's instance discovery first, which needs
    login.microsoftonline.com itself; this one honours AUTHORITY_HOST (a sovereign cloud, or a
    test's login service) as the Graph mailer does."""

    def __init__(self, config: AgentAuthConfiguration, *, authority_host: str) -> None:
        self._config = config
        self._authority = f"{authority_host.rstrip('/')}/{config.TENANT_ID}"
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._config

    def get_token_credential(self) -> Any:
        raise NotImplementedError("policybot asks for tokens directly")

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        wanted = list(scopes or [f"{resource_url.rstrip('/')}/.default"])
        return await asyncio.to_thread(self._acquire, wanted)

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise NotImplementedError("policybot uses app-only tokens")

    def _acquire(self, scopes: list[str]) -> str:
        with self._lock:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    self._config.CLIENT_ID,
                    client_credential=self._config.CLIENT_SECRET,
                    authority=self._authority,
                    instance_discovery=False,
                )
            app = self._app
        result: dict[str, Any] = app.acquire_token_for_client(scopes=scopes) or {}
        token = result.get("access_token")
        if not token:
            log.warning("entra token refused: %s", result.get("error"))
            raise TokenUnavailable(f"Entra refused the bot's token ({result.get('error')})")
        return str(token)


def connection_manager(
    *,
    client_id: str,
    tenant_id: str | None,
    client_secret: str | None,
    anonymous_allowed: bool,
    authority_host: str,
) -> ConnectionManager:
    """The SDK's connection manager with one service connection, built from our settings."""
    config = AgentAuthConfiguration(
        client_id=client_id,
        tenant_id=tenant_id,
        client_secret=client_secret,
        anonymous_allowed=anonymous_allowed,
    )
    return ConnectionManager(
        provider_factory=lambda c: EntraTokens(c, authority_host=authority_host),
        connections_configurations={"SERVICE_CONNECTION": config},
    )


class AnonymousAppIdNotice(logging.Filter):
    """Drops the SDK's "App ID is not provided" warning, which it logs on every turn when
    requests carry no token (anonymous mode, by design); every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(APP_ID_NOTICE)


def quiet_anonymous_notice() -> None:
    """Filter that one warning out of the SDK's user-token logger (once, whatever the level)."""
    logger = logging.getLogger(SDK_USER_TOKENS)
    if not any(isinstance(f, AnonymousAppIdNotice) for f in logger.filters):
        logger.addFilter(AnonymousAppIdNotice())
