# The Slack app's bot scopes, as app_manifest.yml asks for them, and the start-up check that the
# installed app holds them all (Slack lists what a token holds in each answer's X-OAuth-Scopes).
from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

BOT_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "files:read",  # screenshots given in the abuse log form
        "im:write",
        "im:history",
        "users:read",
        "users:read.email",
    }
)
WHAT_FAILS = {
    "files:read": "screenshots given in /abuse-log cannot be fetched",
    "users:read.email": "nobody can be matched to the directory",
    "users:read": "nobody can be matched to the directory",
    "chat:write": "no message can be sent",
    "im:write": "direct messages cannot be opened",
    "im:history": "after a crash, a message may be sent twice (the bot cannot look it up)",
    "commands": "slash commands are not delivered",
}


async def missing_scopes(client: AsyncWebClient) -> frozenset[str] | None:
    """The scopes app_manifest.yml asks for that the installed app does not hold; None when
    Slack could not be asked or did not say."""
    try:
        answer = await client.auth_test()
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        return None
    headers = {str(k).lower(): v for k, v in (answer.headers or {}).items()}
    granted = headers.get("x-oauth-scopes")
    if not isinstance(granted, str):
        return None
    return BOT_SCOPES - {scope.strip() for scope in granted.split(",")}


async def check_scopes(client: AsyncWebClient) -> frozenset[str] | None:
    """Log, once at start, whether the installed Slack app holds every scope it needs; for a
    missing one, what fails without it and how to put it right."""
    missing = await missing_scopes(client)
    if missing is None:
        log.warning("Slack: could not check the app's scopes (auth.test did not answer)")
    elif missing:
        for scope in sorted(missing):
            log.error(
                "Slack: the installed app lacks the %s scope, so %s. Add it (app_manifest.yml "
                "has every scope) and reinstall the app to the workspace.",
                scope,
                WHAT_FAILS.get(scope, "part of the bot will not work"),
            )
    else:
        log.info("Slack: the installed app holds every scope it needs")
    return missing
