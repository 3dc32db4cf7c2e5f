# The HTTP endpoint for Teams, POST /api/messages: the Bot Framework token is checked on this
# route only (401), then the activity goes to the Agents SDK adapter and application.
from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from typing import Any

from aiohttp import web
from jwt import PyJWKClient, PyJWTError
from microsoft_agents.hosting.aiohttp import start_agent_process
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import (
    JwtTokenValidator,
)
from pydantic import ValidationError

from handlers.teams.app import TeamsFront

log = logging.getLogger(__name__)
REFUSED = {"error": "Invalid token or authentication failed."}


class _KeysFrom:
    """Signing keys from one JWKS address, whatever the token's issuer (a staging or test
    login service): what the SDK's validator asks its key cache for."""

    def __init__(self, url: str) -> None:
        self._client = PyJWKClient(url)
        self._lock = threading.Lock()

    async def get_signing_key(self, _jwks_uri: str, header: dict[str, Any]) -> Any:
        def fetch() -> Any:
            with self._lock:
                return self._client.get_signing_key(header["kid"])

        return await asyncio.to_thread(fetch)


def validator_for(config: AgentAuthConfiguration, jwks_url: str | None) -> JwtTokenValidator:
    """The SDK's token validator (audience, issuer, tenant, signature), with its keys read from
    `jwks_url` when one is set."""
    validator = JwtTokenValidator(config)
    if jwks_url:
        validator._jwk_client_manager = _KeysFrom(jwks_url)  # type: ignore[assignment]
    return validator


async def authorize(
    header: str | None, config: AgentAuthConfiguration, validator: JwtTokenValidator
) -> ClaimsIdentity | None:
    """The caller's claims; None when refused. No header is accepted only when the settings
    allow anonymous requests (tests); a malformed or invalid token never is."""
    if header is None:
        return ClaimsIdentity() if config.ANONYMOUS_ALLOWED else None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    try:
        return await validator.validate_token(parts[1])
    except (PyJWTError, ValueError, KeyError) as error:
        log.info("teams request refused: %s", type(error).__name__)
        return None


def teams_endpoint(front: TeamsFront, *, jwks_url: str | None = None) -> Any:
    """An aiohttp handler for POST /api/messages."""
    validator = validator_for(front.config, jwks_url)

    async def api_messages(request: web.Request) -> web.StreamResponse:
        claims = await authorize(request.headers.get("Authorization"), front.config, validator)
        if claims is None:
            return web.json_response(REFUSED, status=401)
        request["claims_identity"] = claims
        try:
            response = await start_agent_process(request, front.app, front.adapter)
        except ValidationError:
            log.info("teams request refused: not an activity")
            return web.json_response({"error": "malformed activity"}, status=400)
        except Exception as error:  # before our routes: the SDK, or the bot's token
            reference = uuid.uuid4().hex[:8]
            log.error("teams request failed (ref %s)", reference, exc_info=error)
            return web.json_response({"error": f"failed (ref {reference})"}, status=500)
        return response if response is not None else web.Response(status=202)

    return api_messages
